package rollback

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// A run that stopped while Odoo held one of its load calls (kill -9, a
// lost connection) left that batch sent and its rows pending: Odoo may
// have created the records, and the ledger has no id for them. Their
// external IDs are the plan's own (<namespace>.<entity>_<key>), so Apply
// looks them up: in ir.model.data, or — Ferry needs no right on it to
// load — one by one with check_object_reference, which every user may
// call. A record found is deleted like any the run created; one not found
// was never created.

// LookupError refuses a record of a lost answer that could not be looked
// up at all.
type LookupError struct {
	Err error
}

func (e *LookupError) Error() string {
	return fmt.Sprintf("the run stopped before Odoo's answer to this record's batch was recorded, and its external ID cannot be looked up "+
		"(%v): resume the run (ferry run) so that the ledger learns the record's id, then roll back again, or roll back as a user who may read ir.model.data", e.Err)
}

func (e *LookupError) Unwrap() error { return e.Err }

// confirm returns p with its unconfirmed deletes resolved: each found in
// Odoo gets the record's id (and its place among the entity's actions),
// each not found is dropped and noted; records that cannot be looked up
// are refused. A plan without unconfirmed actions is returned as it is.
func confirm(ctx context.Context, t Target, p *Plan, res *Result) (*Plan, error) {
	byModel := map[string][]string{}
	for _, a := range p.Actions {
		if a.Unconfirmed {
			byModel[a.Model] = append(byModel[a.Model], a.ExternalID)
		}
	}
	if len(byModel) == 0 {
		return p, nil
	}
	found := map[string]int64{}
	lookupErr := map[string]error{}
	viaReference := 0
	for _, model := range sortedKeys(byModel) {
		ids, n, err := lookup(ctx, t, model, byModel[model])
		if err != nil && !odoo.IsKind(err, odoo.KindAccess) {
			return nil, err
		}
		for _, x := range byModel[model] {
			if id, ok := ids[x]; ok {
				found[model+" "+x] = id
			} else if err != nil {
				lookupErr[model+" "+x] = err
			}
		}
		viaReference += n
	}
	out := &Plan{Run: p.Run, Actions: make([]Action, 0, len(p.Actions))}
	var absent []string
	for _, a := range p.Actions {
		if !a.Unconfirmed {
			out.Actions = append(out.Actions, a)
			continue
		}
		k := a.Model + " " + a.ExternalID
		switch id, ok := found[k]; {
		case ok:
			a.ID = id
			out.Actions = append(out.Actions, a)
		case lookupErr[k] != nil:
			res.Refused = append(res.Refused, Refusal{Action: a, Err: &LookupError{Err: lookupErr[k]}})
		default:
			absent = append(absent, a.ExternalID)
		}
	}
	if viaReference > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("the user may not read ir.model.data: the %d record(s) of a lost answer "+
			"were looked up one by one by external ID (check_object_reference)", viaReference))
	}
	if len(absent) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d record(s) of a lost answer are not in Odoo (their batch did not create them): "+
			"nothing to delete (%s)", len(absent), strings.Join(absent, ", ")))
	}
	sortEntities(out.Actions)
	return out, nil
}

// lookup finds the records of external IDs of one model: in ir.model.data,
// else (the user may not read it) with check_object_reference, counting
// those. An access error with nothing found means neither way is allowed.
func lookup(ctx context.Context, t Target, model string, xmlids []string) (map[string]int64, int, error) {
	out, err := lookupData(ctx, t, model, xmlids)
	if !odoo.IsKind(err, odoo.KindAccess) {
		return out, 0, err
	}
	out = map[string]int64{}
	for _, x := range xmlids {
		module, name, _ := strings.Cut(x, ".")
		v, err := t.Execute(ctx, "ir.model.data", "check_object_reference", []any{module, name}, nil)
		var oe *odoo.Error
		switch {
		case errors.As(err, &oe) && oe.Kind == odoo.KindServer && strings.HasSuffix(oe.Class, "ValueError"):
			continue // External ID not found
		case err != nil:
			return out, len(xmlids), err
		}
		pair, _ := v.([]any)
		if len(pair) != 2 || pair[0] != model {
			continue // another model's record: not one this plan created
		}
		id, _ := recordID(pair[1])
		if id == 0 { // the user may not read the record: nor delete it
			return out, len(xmlids), &odoo.Error{Kind: odoo.KindAccess, Model: model, Method: "check_object_reference",
				Message: x + " exists, but the user may not read the record"}
		}
		out[x] = id
	}
	return out, len(xmlids), nil
}

// lookupData searches ir.model.data for the external IDs of one model.
func lookupData(ctx context.Context, t Target, model string, xmlids []string) (map[string]int64, error) {
	byModule := map[string][]any{}
	for _, x := range xmlids {
		module, name, _ := strings.Cut(x, ".")
		byModule[module] = append(byModule[module], name)
	}
	out := map[string]int64{}
	for _, module := range sortedKeys(byModule) {
		names := byModule[module]
		for len(names) > 0 {
			n := min(len(names), 500)
			dom := odoo.Domain{[]any{"model", "=", model}, []any{"module", "=", module}, []any{"name", "in", names[:n]}}
			recs, err := t.SearchRead(ctx, "ir.model.data", dom, []string{"name", "res_id"}, odoo.Page{})
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				name, _ := r["name"].(string)
				if id, ok := recordID(r["res_id"]); ok && id != 0 {
					out[module+"."+name] = id
				}
			}
			names = names[n:]
		}
	}
	return out, nil
}

// sortEntities orders each entity's actions (a contiguous run of the
// plan) newest record first again, now that the records of lost answers
// have their ids.
func sortEntities(acts []Action) {
	for i := 0; i < len(acts); {
		j := i
		for j < len(acts) && acts[j].Entity == acts[i].Entity {
			j++
		}
		sortActions(acts[i:j])
		i = j
	}
}
