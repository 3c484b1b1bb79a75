package pipeline

import (
	"fmt"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// ref resolves a ref() or lookup() value to a record.Ref; ok is false (and
// a finding recorded) when it cannot be.
func (c *converter) ref(v any, f *validate.Field) (any, bool) {
	switch x := v.(type) {
	case mapping.RefValue:
		return c.planRef(x, f)
	case mapping.LookupValue:
		return c.lookupRef(x, f)
	}
	return nil, false
}

func (c *converter) planRef(x mapping.RefValue, f *validate.Field) (any, bool) {
	if c.r.p.known(x, c.r.e.Name) {
		return record.Ref{ExternalID: x.ExternalID}, true
	}
	if c.r.e.Pass == 2 {
		c.r.finding(c.w, c.pos, diag.Warning, "VAL314", c.field,
			fmt.Sprintf("%s %s was not loaded: the link is left empty", x.Entity, displayKey(x.Key, false)), "")
		return nil, false
	}
	c.fail("VAL314", fmt.Sprintf("%s %s is not among the rows the plan loads (missing or quarantined)", x.Entity, displayKey(x.Key, false)),
		"fix the reference, or the referenced row")
	return nil, false
}

func (c *converter) lookupRef(x mapping.LookupValue, f *validate.Field) (any, bool) {
	if f != nil && f.Relation != "" && f.Relation != x.Model {
		c.fail("VAL306", fmt.Sprintf("lookup in %s for a field that points at %s", x.Model, f.Relation), "")
		return nil, false
	}
	g := x.Model + "\x00" + x.Field
	if c.r.p.opts.Lookups == nil {
		c.offline = true
		return nil, true
	}
	ids := c.r.p.cache[g][x.Value]
	switch len(ids) {
	case 0:
		c.fail("MAP207", fmt.Sprintf("no %s has %s = %q", x.Model, x.Field, x.Value), "")
		return nil, false
	case 1:
		return record.Ref{ID: ids[0]}, c.checkCompany(x, ids[0])
	}
	c.fail("MAP208", fmt.Sprintf("%d records of %s have %s = %q (ids %v): Ferry does not pick one", len(ids), x.Model, x.Field, x.Value, ids),
		"look up by a unique field, or make the value unique in the target")
	return nil, false
}

// uom checks that a product's units are of one category (VAL318).
func (r *streamRun) uom(w *work, row *record.Row) {
	cats := r.p.opts.UoMCategories
	if cats == nil {
		return
	}
	a, okA := row.Values["uom_id"].(record.Ref)
	b, okB := row.Values["uom_po_id"].(record.Ref)
	if !okA || !okB || a.ID == 0 || b.ID == 0 {
		return
	}
	if ca, cb := cats[a.ID], cats[b.ID]; ca != cb {
		what := "category"
		if r.p.opts.ServerVersion >= 19 {
			what = "reference unit"
		}
		r.finding(w, row.Pos, diag.Error, "VAL318", "uom_po_id", fmt.Sprintf("uom_id and uom_po_id are of different %s", what), "")
	}
}
