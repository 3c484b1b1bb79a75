package rollback

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// Target is what rollback changes in Odoo (and reads, to find records
// changed since the run); *odoo.Client satisfies it.
type Target interface {
	verify.Current
	Unlink(ctx context.Context, model string, ids []int64) error
	Write(ctx context.Context, model string, ids []int64, vals map[string]any) error
	Execute(ctx context.Context, model, method string, args []any, kwargs map[string]any) (any, error)
}

// Kind is what an action does.
type Kind string

// Action kinds.
const (
	Delete  Kind = "delete"  // the run created the record
	Restore Kind = "restore" // the run updated it: write the before-image back
)

// Action is one record to undo.
type Action struct {
	Kind       Kind           `json:"kind"`
	Entity     string         `json:"entity"`
	Model      string         `json:"model"`
	ExternalID string         `json:"xmlid"`
	ID         int64          `json:"id"`
	Draft      bool           `json:"reset_to_draft,omitempty"` // posted by the run: button_draft first
	Values     map[string]any `json:"values,omitempty"`         // Restore: the values to write back
	// Written is what the run wrote (record.Written JSON), to tell whether
	// someone changed the record since.
	Written string `json:"-"`
}

// Plan is the undo of one run, in the order Apply carries it out.
type Plan struct {
	Run     string   `json:"run"`
	Actions []Action `json:"actions"`
}

// Entity is one plan entity in load order.
type Entity struct {
	Name, Model string
}

// Build reads the rows the run wrote (its own version of each, even of the
// rows later runs took over), its before-images and after-load steps from
// the ledger and lists the actions, entities in reverse load order. It
// undoes the run alone: Chain says which runs must be undone with it.
func Build(ctx context.Context, st *ledger.Store, runID string, order []Entity) (*Plan, error) {
	rows, err := st.RunHistory(ctx, runID)
	if err != nil {
		return nil, err
	}
	images, err := imagesByID(ctx, st, runID)
	if err != nil {
		return nil, err
	}
	p := &Plan{Run: runID}
	for i := len(order) - 1; i >= 0; i-- {
		e := order[i]
		posted, err := postedBy(ctx, st, runID, e.Name)
		if err != nil {
			return nil, err
		}
		p.Actions = append(p.Actions, entityActions(e, rows, images, posted)...)
	}
	return p, nil
}

// entityActions lists an entity's actions: a delete or restore per record
// the run loaded in pass 1, and a restore per record whose links only (pass
// 2) it wrote (its before-image holds their earlier values).
func entityActions(e Entity, rows []ledger.Row, images map[string]map[string]any, posted map[string]bool) []Action {
	seen := map[int64]bool{}
	var out []Action
	for _, pass := range []int{1, 2} {
		for _, r := range rows {
			if r.Entity != e.Name || r.Pass != pass || r.State != ledger.Loaded || r.OdooID == 0 || seen[r.OdooID] {
				continue
			}
			image, hasImage := images[imageKey(e.Model, r.OdooID)]
			if pass == 2 && !hasImage {
				continue // a record the run created: pass 1 deletes it
			}
			seen[r.OdooID] = true
			a := Action{Entity: e.Name, Model: e.Model, ExternalID: r.ExternalID, ID: r.OdooID, Draft: posted[r.ExternalID], Written: r.Written}
			if r.Created && pass == 1 {
				a.Kind = Delete
			} else {
				a.Kind, a.Values = Restore, image
			}
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID > out[j].ID }) // children were created after parents
	return out
}

func imageKey(model string, id int64) string { return fmt.Sprintf("%s/%d", model, id) }

func imagesByID(ctx context.Context, st *ledger.Store, runID string) (map[string]map[string]any, error) {
	ims, err := st.Images(ctx, runID)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for _, im := range ims {
		var vals map[string]any
		if err := json.Unmarshal(im.Fields, &vals); err != nil {
			return nil, fmt.Errorf("ledger: before-image of %s %d: %w", im.Model, im.OdooID, err)
		}
		out[imageKey(im.Model, im.OdooID)] = writable(vals)
	}
	return out, nil
}

// writable turns values as read back into values write accepts: a
// many2one pair becomes its id, an x2many id list a set command.
func writable(vals map[string]any) map[string]any {
	out := make(map[string]any, len(vals))
	for k, v := range vals {
		if k == "id" || k == "display_name" {
			continue
		}
		if list, ok := v.([]any); ok {
			if len(list) == 2 {
				if _, isName := list[1].(string); isName {
					out[k] = list[0]
					continue
				}
			}
			out[k] = []any{[]any{6, 0, list}}
			continue
		}
		out[k] = v
	}
	return out
}

// postedBy lists the records an after-load action of the run changed the
// state of (posting): they are reset to draft before deletion.
func postedBy(ctx context.Context, st *ledger.Store, runID, entity string) (map[string]bool, error) {
	steps, err := st.Steps(ctx, runID, entity)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for x, s := range steps {
		if s.State == ledger.StepDone && strings.HasPrefix(s.Method, "action_post") {
			out[x] = true
		}
	}
	return out, nil
}

// Refusal is a record Odoo would not let go (a lock date, a hash chain,
// "used in Accounting").
type Refusal struct {
	Action Action
	Err    error
}

// Result is what Apply did.
type Result struct {
	Deleted, Restored int
	Refused           []Refusal
}

// Options tune Apply.
type Options struct {
	// Force undoes records someone changed in Odoo after the run wrote
	// them (else they are refused with a *ChangedError).
	Force bool
	// Exclude lists, per model, fields Odoo itself changes after a load
	// (the plan's verify.exclude): they do not count as changes.
	Exclude map[string][]string
}

// ChangedError refuses to undo a record someone changed in Odoo after the
// run wrote it.
type ChangedError struct {
	Diffs []verify.FieldDiff
}

func (e *ChangedError) Error() string {
	parts := make([]string, len(e.Diffs))
	for i, d := range e.Diffs {
		parts[i] = fmt.Sprintf("%s: the run wrote %q, Odoo now holds %q", d.Field, d.Want, d.Got)
	}
	return "changed in Odoo after the run wrote it (" + strings.Join(parts, "; ") + "): undo it with --force, or restore from the backup"
}

// Apply carries out the plan: per action, reset to draft if needed, then
// delete or restore. Records changed in Odoo since the run wrote them are
// refused unless o.Force; a refusal is recorded and the rest goes on; a
// transport or authentication failure stops Apply.
func Apply(ctx context.Context, t Target, p *Plan, o Options) (*Result, error) {
	res := &Result{}
	changed := map[string][]verify.FieldDiff{}
	if !o.Force {
		var err error
		if changed, err = changedSince(ctx, t, p, o.Exclude); err != nil {
			return res, err
		}
		if err := dropRestored(ctx, t, p, changed); err != nil {
			return res, err
		}
	}
	for _, a := range p.Actions {
		if diffs, ok := changed[imageKey(a.Model, a.ID)]; ok {
			res.Refused = append(res.Refused, Refusal{Action: a, Err: &ChangedError{Diffs: diffs}})
			continue
		}
		err := apply(ctx, t, a)
		switch {
		case err == nil && a.Kind == Delete:
			res.Deleted++
		case err == nil:
			res.Restored++
		case refusal(err):
			res.Refused = append(res.Refused, Refusal{Action: a, Err: err})
		default:
			return res, err
		}
	}
	return res, nil
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

func apply(ctx context.Context, t Target, a Action) error {
	if a.Draft {
		if _, err := t.Execute(ctx, a.Model, "button_draft", []any{[]any{a.ID}}, nil); err != nil && !odoo.IsKind(err, odoo.KindMissing) {
			return err
		}
	}
	if a.Kind == Delete {
		err := t.Unlink(ctx, a.Model, []int64{a.ID})
		if odoo.IsKind(err, odoo.KindMissing) {
			return nil // already gone
		}
		return err
	}
	if len(a.Values) == 0 {
		return nil
	}
	return t.Write(ctx, a.Model, []int64{a.ID}, a.Values)
}

func refusal(err error) bool {
	for _, k := range []odoo.Kind{odoo.KindValidation, odoo.KindAccess, odoo.KindMissing, odoo.KindServer} {
		if odoo.IsKind(err, k) {
			return true
		}
	}
	return false
}
