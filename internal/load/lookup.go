package load

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/progress"
)

// imdState remembers that the user may not read ir.model.data.
type imdState struct {
	denied atomic.Bool
}

// existing sets, per item, the id of its record when it exists before the
// send: from the ledger when it knows the external ID, else from
// ir.model.data. Without the right to read ir.model.data, records unknown
// to the ledger count as new (a warning says so once).
func (r *runner) existing(ctx context.Context, p *passRun, items []*item) error {
	var unknown []*item
	for _, it := range items {
		it.exists, it.createdHere, it.noImage = 0, false, false
		if p.e.Pass == 2 {
			p1 := p.pass1[it.key]
			it.exists, it.noImage = p1.OdooID, p1.RunID == r.run.ID && p1.Created
			continue
		}
		pr := it.prev
		switch {
		case it.hasPrev && pr.RunID == r.run.ID && pr.Created:
			it.createdHere, it.noImage, it.exists = true, true, pr.OdooID
		case it.hasPrev && pr.OdooID != 0:
			it.exists = pr.OdooID
		default:
			unknown = append(unknown, it)
		}
	}
	if len(unknown) == 0 || r.imd.denied.Load() || p.fresh {
		return nil
	}
	return r.resolve(ctx, p.e.Model, unknown)
}

// fresh reads, once per pass 1, whether any record of the entity's model
// carries one of its external IDs (<namespace>.<entity>_…). When none
// does, a record the ledger does not know cannot exist before its batch
// creates it — the ledger's lock keeps any other run of the plan out — so
// the batches skip looking them up: one call of each batch saved, about a
// twentieth of a batch's time on a real Odoo (each call pays for the API
// key check). A first load is all such batches.
func (r *runner) fresh(ctx context.Context, e *pipeline.Entity) (bool, error) {
	if e.Pass != 1 || r.imd.denied.Load() {
		return false, nil
	}
	dom := odoo.Domain{[]any{"model", "=", e.Model}, []any{"module", "=", r.plan.Namespace}, []any{"name", "=like", e.Name + "_%"}}
	recs, err := r.t.SearchRead(ctx, "ir.model.data", dom, []string{"id"}, odoo.Page{Limit: 1})
	if odoo.IsKind(err, odoo.KindAccess) {
		return false, nil // resolve warns once and treats unknown records as new
	}
	return err == nil && len(recs) == 0, err
}

func (r *runner) resolve(ctx context.Context, model string, items []*item) error {
	byModule := map[string][]string{}
	for _, it := range items {
		mod, name, _ := strings.Cut(it.key, ".")
		byModule[mod] = append(byModule[mod], name)
	}
	found := map[string]int64{}
	for mod, names := range byModule {
		dom := odoo.Domain{[]any{"model", "=", model}, []any{"module", "=", mod}, []any{"name", "in", toAny(names)}}
		recs, err := r.t.SearchRead(ctx, "ir.model.data", dom, []string{"name", "res_id"}, odoo.Page{})
		if odoo.IsKind(err, odoo.KindAccess) {
			if r.imd.denied.CompareAndSwap(false, true) {
				r.events.Emit(progress.Message{Level: "warning", Text: "the user may not read ir.model.data: records Ferry's " +
					"ledger does not know count as created, and no before-image is kept for them"})
			}
			return nil
		}
		if err != nil {
			return err
		}
		for _, rec := range recs {
			name, _ := rec["name"].(string)
			found[mod+"."+name] = asID(rec["res_id"])
		}
	}
	for _, it := range items {
		it.exists = found[it.key]
	}
	return nil
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func asID(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case float64:
		return int64(x)
	case []any: // a many2one read as [id, name]
		if len(x) > 0 {
			return asID(x[0])
		}
	}
	return 0
}

// images reads the current values of the fields about to be written on
// the records that exist and this run did not create.
func (r *runner) images(ctx context.Context, p *passRun, items []*item) ([]ledger.Image, error) {
	byID := map[int64]string{}
	fields := map[string]bool{}
	for _, it := range items {
		if it.exists == 0 || it.noImage {
			continue
		}
		byID[it.exists] = it.key
		for f, v := range it.o.Row.Values {
			if !isFile(v) { // no copies of file contents in the ledger: a rollback keeps the new content
				fields[f] = true
			}
		}
	}
	if len(byID) == 0 || len(fields) == 0 {
		return nil, nil
	}
	recs, err := r.t.Read(ctx, p.e.Model, odoo.SortedIDs(byID), sortedKeys(fields))
	if err != nil {
		return nil, err
	}
	out := make([]ledger.Image, 0, len(recs))
	for _, rec := range recs {
		id := asID(rec["id"])
		delete(rec, "id")
		b, err := json.Marshal(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, ledger.Image{RunID: r.run.ID, Model: p.e.Model, OdooID: id, ExternalID: byID[id], Fields: b})
	}
	return out, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
