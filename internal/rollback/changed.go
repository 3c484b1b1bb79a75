package rollback

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// changes finds the plan's records someone changed in Odoo since the run
// wrote them, keyed like images ("model/id"): their fields (what the run
// wrote against what Odoo holds, records that hold their before-image
// again left out) and their translations.
func changes(ctx context.Context, t Target, p *Plan, exclude map[string][]string) (map[string][]verify.FieldDiff, error) {
	changed, err := changedSince(ctx, t, p, exclude)
	if err != nil {
		return nil, err
	}
	if err := dropRestored(ctx, t, p, changed); err != nil {
		return nil, err
	}
	tr, err := translationsChanged(ctx, t, p) // translations.go
	if err != nil {
		return nil, err
	}
	for k, d := range tr {
		changed[k] = append(changed[k], d...)
	}
	return changed, nil
}

// changedSince finds the plan's records whose current values differ from
// what the run wrote, keyed like images ("model/id").
func changedSince(ctx context.Context, t Target, p *Plan, exclude map[string][]string) (map[string][]verify.FieldDiff, error) {
	byModel := map[string]map[int64]record.Row{}
	for _, a := range p.Actions {
		w, err := record.ParseWritten(a.Written)
		if a.Written == "" || err != nil {
			continue
		}
		if byModel[a.Model] == nil {
			byModel[a.Model] = map[int64]record.Row{}
		}
		byModel[a.Model][a.ID] = w.Row(a.Entity, a.Model, a.ExternalID)
	}
	check := verify.Checker{T: t}
	out := map[string][]verify.FieldDiff{}
	for model, written := range byModel {
		skip := map[string]bool{}
		for _, f := range exclude[model] {
			skip[f] = true
		}
		changed, err := check.Changed(ctx, model, written, skip)
		if err != nil {
			return nil, err
		}
		for id, diffs := range changed {
			out[imageKey(model, id)] = diffs
		}
	}
	return out, nil
}

// dropRestored takes out of changed the records that hold their
// before-image again: an earlier rollback of the run restored them before
// it stopped at a refusal, so they differ from what the run wrote without
// anyone having edited them. Restoring them again changes nothing.
func dropRestored(ctx context.Context, t Target, p *Plan, changed map[string][]verify.FieldDiff) error {
	byModel := map[string][]Action{}
	for _, a := range p.Actions {
		if _, ok := changed[imageKey(a.Model, a.ID)]; ok && a.Kind == Restore && len(a.Values) > 0 {
			byModel[a.Model] = append(byModel[a.Model], a)
		}
	}
	for model, acts := range byModel {
		ids := make([]int64, len(acts))
		fields := map[string]bool{}
		for i, a := range acts {
			ids[i] = a.ID
			for f := range a.Values {
				fields[f] = true
			}
		}
		names := make([]string, 0, len(fields))
		for f := range fields {
			names = append(names, f)
		}
		sort.Strings(names)
		recs, err := t.Read(ctx, model, ids, names)
		if err != nil {
			return err
		}
		now := map[int64]map[string]any{}
		for _, rec := range recs {
			if id, ok := recordID(rec["id"]); ok {
				now[id] = writable(rec)
			}
		}
		for _, a := range acts {
			if cur, ok := now[a.ID]; ok && sameValues(a.Values, cur) {
				delete(changed, imageKey(a.Model, a.ID))
			}
		}
	}
	return nil
}

// sameValues says whether cur holds every value of want, compared as JSON
// (numbers read back and numbers from the ledger decode alike).
func sameValues(want, cur map[string]any) bool {
	sub := make(map[string]any, len(want))
	for k := range want {
		v, ok := cur[k]
		if !ok {
			return false
		}
		sub[k] = v
	}
	a, errA := json.Marshal(want)
	b, errB := json.Marshal(sub)
	if errA != nil || errB != nil {
		return false
	}
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

func recordID(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		return int64(x), true
	}
	return 0, false
}
