package load

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// sentFields names the fields a load call writes, from its columns
// ("name", "parent_id/id", "invoice_line_ids/id", …; "id" is the key).
func sentFields(cols []string) map[string]bool {
	out := map[string]bool{}
	for _, c := range cols {
		if f, _, _ := strings.Cut(c, "/"); f != "id" {
			out[f] = true
		}
	}
	return out
}

// written is the ledger form of what the item's load wrote.
func written(it *item) string {
	s, err := it.o.Row.Written(sentFields(it.enc.Columns)).Marshal()
	if err != nil {
		return "" // a value type Written does not know: no edit check for this row
	}
	return s
}

// edited is an item whose record someone changed in Odoo after an earlier
// run wrote it, with the fields that differ.
type edited struct {
	it    *item
	diffs []verify.FieldDiff
}

// guardEdits takes out of b the items that would overwrite changes made
// in Odoo since an earlier run wrote the record: for each field Ferry wrote
// then and writes now, the target's current value is compared with what
// Ferry wrote, the way verify compares (fields the plan's verify.exclude
// names for the model are skipped: Odoo itself changes them). Those items
// are quarantined as changed_in_target unless the run overwrites target
// edits. It runs on the streaming goroutine.
func (p *passRun) guardEdits(ctx context.Context, b []*item) ([]*item, error) {
	if p.r.o.OverwriteTargetEdits {
		return b, nil
	}
	var checks []*item
	for _, it := range b {
		pr := it.prev
		if it.hasPrev && pr.Written != "" && pr.OdooID != 0 && pr.State != ledger.Pending && pr.RunID != p.r.run.ID {
			checks = append(checks, it)
		}
	}
	if len(checks) == 0 {
		return b, nil
	}
	found, err := p.r.edits.find(ctx, p, checks)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return b, nil
	}
	for _, e := range found {
		if err := p.quarantineEdited(ctx, e); err != nil {
			return nil, err
		}
	}
	keep := b[:0:0]
	for _, it := range b {
		if _, gone := found[it.key]; !gone {
			keep = append(keep, it)
		}
	}
	return keep, nil
}

func (p *passRun) quarantineEdited(ctx context.Context, e edited) error {
	parts := make([]string, len(e.diffs))
	for i, d := range e.diffs {
		parts[i] = fmt.Sprintf("%s: Ferry wrote %q, Odoo now holds %q", d.Field, d.Want, d.Got)
	}
	msg := "the record was changed in Odoo after Ferry wrote it (" + strings.Join(parts, "; ") +
		"); it is left as it is: rerun with --overwrite-target-edits to overwrite it"
	d := p.finding(e.it, CodeChangedInTarget, msg)
	if err := p.r.q.write(p.e, e.it.o, []diag.Diagnostic{d}); err != nil {
		return err
	}
	p.mu.Lock()
	p.es.ChangedInTarget++
	p.mu.Unlock()
	return p.terminal(ctx, e.it.o, ledger.Quarantined, CodeChangedInTarget+": "+msg)
}

// editFinder reads the target's current values for the edit check, with
// the schemas and external IDs it needs, cached per run.
type editFinder struct {
	t       Target
	exclude map[string][]string
	mu      sync.Mutex
	schemas map[string]map[string]verify.Field
}

func (f *editFinder) find(ctx context.Context, p *passRun, items []*item) (map[string]edited, error) {
	want := map[int64]record.Row{}
	fields := map[string]bool{}
	for _, it := range items {
		w, err := record.ParseWritten(it.prev.Written)
		if err != nil {
			continue // unreadable: no check for this row
		}
		now := sentFields(it.enc.Columns)
		for k := range w.Values {
			if !now[k] {
				delete(w.Values, k)
			}
		}
		for k := range w.Lines {
			if !now[k] {
				delete(w.Lines, k)
			}
		}
		want[it.prev.OdooID] = w.Row(p.e.Name, p.e.Model, it.key)
		for k := range now {
			fields[k] = true
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	schema, err := f.schema(ctx, p.e.Model)
	if err != nil {
		return nil, err
	}
	recs, err := f.t.Read(ctx, p.e.Model, odoo.SortedIDs(idSet(want)), sortedKeys(fields))
	if err != nil {
		return nil, err
	}
	names, err := f.externalIDs(ctx, schema, recs)
	if err != nil {
		return nil, err
	}
	exclude := map[string]bool{}
	for _, x := range f.exclude[p.e.Model] {
		exclude[x] = true
	}
	out := map[string]edited{}
	byID := map[int64]*item{}
	for _, it := range items {
		byID[it.prev.OdooID] = it
	}
	for _, rec := range recs {
		id := asID(rec["id"])
		w, ok := want[id]
		if !ok {
			continue
		}
		res := verify.CompareRow(schema, w, rec, exclude, names)
		if res.Status == verify.Differ {
			out[byID[id].key] = edited{it: byID[id], diffs: res.Diffs}
		}
	}
	return out, nil
}

func idSet(m map[int64]record.Row) map[int64]string {
	out := make(map[int64]string, len(m))
	for id := range m {
		out[id] = ""
	}
	return out
}

func (f *editFinder) schema(ctx context.Context, model string) (map[string]verify.Field, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.schemas[model]; ok {
		return s, nil
	}
	defs, err := f.t.FieldsGet(ctx, model, []string{"type", "relation", "digits"})
	if err != nil {
		return nil, err
	}
	s := verify.FieldsOf(defs)
	if f.schemas == nil {
		f.schemas = map[string]map[string]verify.Field{}
	}
	f.schemas[model] = s
	return s, nil
}

// externalIDs resolves the ids of every relation the records hold.
func (f *editFinder) externalIDs(ctx context.Context, schema map[string]verify.Field, recs []map[string]any) (xmlids, error) {
	ids := map[string]map[int64]string{}
	for _, rec := range recs {
		for name, v := range rec {
			fd, ok := schema[name]
			if !ok || fd.Relation == "" {
				continue
			}
			for _, id := range relationIDs(v) {
				if ids[fd.Relation] == nil {
					ids[fd.Relation] = map[int64]string{}
				}
				ids[fd.Relation][id] = ""
			}
		}
	}
	out := xmlids{}
	for model, set := range ids {
		m, err := f.t.ExternalIDs(ctx, model, odoo.SortedIDs(set))
		if err != nil {
			return nil, err
		}
		out[model] = m
	}
	return out, nil
}

func relationIDs(v any) []int64 {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	if len(list) == 2 {
		if _, isName := list[1].(string); isName { // many2one [id, name]
			return []int64{asID(list[0])}
		}
	}
	out := make([]int64, 0, len(list))
	for _, x := range list {
		out = append(out, asID(x))
	}
	return out
}

// xmlids is a verify.Resolver over ExternalIDs answers.
type xmlids map[string]map[int64]string

func (x xmlids) XMLID(model string, id int64) string { return x[model][id] }
