package pipeline

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// finish converts the mapped values to the target's types, builds the Row
// and decides the state.
func (r *streamRun) finish(w *work) {
	if !w.done {
		r.build(w)
	}
	if w.out.State != Skipped && diag.Max(w.out.Findings) >= diag.Error {
		w.out.State = Quarantined
	}
	if w.out.State == Quarantined && w.out.Row != nil && r.e.Pass == 1 {
		w.out.Row = nil
	}
	if r.e.Pass != 1 {
		return
	}
	r.st.pass1 = append(r.st.pass1, uint8(w.out.State))
	if w.out.State == Ready {
		h := hash(w.xmlid)
		line, _ := r.st.keys.get(h)
		r.st.keys.put(h, line|readyBit)
	}
}

func (r *streamRun) build(w *work) {
	rec := w.out.Source
	row := r.reuse.newRow(len(r.c.fields))
	row.Entity, row.Model, row.Key, row.ExternalID, row.Pos = r.e.Name, r.c.e.Model, displayKey(w.raw, r.c.e.PersonalKey), w.xmlid, rec.Pos
	for i := range r.c.fields {
		f := &r.c.fields[i]
		v, ok := w.values[f.Field]
		switch {
		case !ok:
		case f.link && r.e.Pass == 1:
			// written in the link pass; converted here only so a reference
			// to a key no source row has is found now (VAL314), as for a
			// reference to another entity
			r.convert(w, rec.Pos, f.Field, v, f.schema)
		case f.link == (r.e.Pass == 2):
			row.Values[f.Field] = r.convert(w, rec.Pos, f.Field, v, f.schema)
		}
	}
	if r.e.Pass == 1 {
		r.buildLines(w, row)
		r.uom(w, row)
		row.Translations = r.buildTranslations(w)
		row.Reconcile = r.buildReconcile(w)
	}
	w.out.Row = row
}

func (r *streamRun) buildLines(w *work, row *record.Row) {
	lineErr := false
	for _, lw := range w.lines {
		rows := make([]record.Row, 0, len(lw.rows))
		for _, lr := range lw.rows {
			lrow := record.Row{Entity: r.e.Name, Model: lw.cl.model, Key: displayKey(lr.key, false), ExternalID: lr.xmlid,
				Values: make(map[string]any, len(lr.values)), Pos: lr.rec.Pos}
			for i := range lw.cl.fields {
				f := &lw.cl.fields[i]
				if v, ok := lr.values[f.Field]; ok {
					lrow.Values[f.Field] = r.convert(w, lr.rec.Pos, lw.cl.spec.Field+"."+f.Field, v, f.schema)
				}
			}
			rows = append(rows, lrow)
		}
		row.Lines = mapSet(row.Lines, lw.cl.spec.Field, rows)
	}
	for _, d := range w.out.Findings {
		if d.Severity >= diag.Error && d.Pos != w.out.Source.Pos {
			lineErr = true
		}
	}
	if lineErr {
		r.finding(w, w.out.Source.Pos, diag.Error, "VAL320", "", "a line of this row has an error (see the line's findings)", "")
	}
}

func mapSet(m map[string][]record.Row, k string, v []record.Row) map[string][]record.Row {
	if m == nil {
		m = map[string][]record.Row{}
	}
	m[k] = v
	return m
}

// convert turns an expression's value into what the loader sends for the
// field; problems become findings and the value nil.
func (r *streamRun) convert(w *work, pos record.Position, field string, v any, f *validate.Field) any {
	c := &converter{r: r, w: w, pos: pos, field: field}
	out := c.value(v, f)
	if f != nil && f.Required && out == nil && !c.failed && !c.offline {
		c.fail("VAL303", fmt.Sprintf("%s is required and the value is empty", field), "")
	}
	return out
}

type converter struct {
	r       *streamRun
	w       *work
	pos     record.Position
	field   string
	failed  bool
	offline bool // a lookup not resolved for want of a target
}

func (c *converter) fail(code, msg, hint string) {
	c.failed = true
	c.r.finding(c.w, c.pos, diag.Error, code, c.field, msg, hint)
}

func (c *converter) value(v any, f *validate.Field) any {
	if mapping.Empty(v) {
		if _, isList := v.([]any); !isList {
			return nil
		}
	}
	if out, ok := c.attachmentValue(v, f); ok {
		return out
	}
	if f == nil {
		return c.untyped(v)
	}
	switch f.Type {
	case "char", "text", "html":
		return c.text(v, f)
	case "selection":
		return c.selection(v, f)
	case "integer":
		return c.integer(v)
	case "float", "monetary":
		return c.float(v)
	case "boolean":
		return c.boolean(v)
	case "date":
		return c.date(v, "2006-01-02", "parse_date")
	case "datetime":
		return c.date(v, "2006-01-02 15:04:05", "parse_datetime")
	case "many2one":
		return c.many2one(v, f)
	case "many2many":
		return c.many2many(v, f)
	}
	return c.untyped(v)
}

func (c *converter) untyped(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case mapping.RefValue, mapping.LookupValue:
		ref, _ := c.ref(x, nil)
		return ref
	case []any:
		return c.many2many(x, nil)
	}
	return v
}

func (c *converter) text(v any, f *validate.Field) any {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int, int64, float64:
		s = text(x)
	default:
		c.fail("VAL302", fmt.Sprintf("a %T does not convert to text", v), "")
		return nil
	}
	if f.Size > 0 && len([]rune(s)) > f.Size {
		c.fail("VAL305", fmt.Sprintf("%d characters, the field holds %d", len([]rune(s)), f.Size), "")
		return nil
	}
	if _, ok := v.(string); ok {
		return v // the same string, without boxing it again
	}
	return s
}

func (c *converter) selection(v any, f *validate.Field) any {
	s := text(v)
	for _, k := range f.SelectionKeys() {
		if k == s {
			return s
		}
	}
	c.fail("VAL304", fmt.Sprintf("%q is not one of %s", s, strings.Join(f.SelectionKeys(), ", ")), "map the value with map_value()")
	return nil
}

func (c *converter) integer(v any) any {
	f, ok := number(v)
	if !ok || f != float64(int64(f)) {
		c.fail("VAL302", fmt.Sprintf("%q is not a whole number", text(v)), "")
		return nil
	}
	return int64(f)
}

func (c *converter) float(v any) any {
	if _, ok := v.(float64); ok {
		return v
	}
	if s, ok := v.(string); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			c.fail("VAL302", fmt.Sprintf("%q is not a number", s), "use parse_number(value, locale)")
			return nil
		}
		return f
	}
	f, ok := number(v)
	if !ok {
		c.fail("VAL302", fmt.Sprintf("a %T is not a number", v), "")
		return nil
	}
	return f
}

func (c *converter) boolean(v any) any {
	b, err := mapping.ParseBool(v)
	if err != nil {
		c.fail("VAL302", err.Error(), "")
		return nil
	}
	return b
}

func (c *converter) date(v any, layout, fn string) any {
	if t, ok := v.(time.Time); ok { // a database column: a DATE keeps its day, a timestamp goes to UTC
		if len(layout) == len(time.DateOnly) {
			return t.Format(time.DateOnly)
		}
		return t.UTC().Format(layout)
	}
	s, ok := v.(string)
	if ok {
		if _, err := time.Parse(layout, s); err == nil {
			return s
		}
	}
	c.fail("VAL302", fmt.Sprintf("%q is not in the form %s", text(v), strings.NewReplacer("2006", "YYYY", "01", "MM", "02", "DD", "15", "HH", "04", "MM", "05", "SS").Replace(layout)),
		"convert it with "+fn+"(value, format)")
	return nil
}

func (c *converter) many2one(v any, f *validate.Field) any {
	switch x := v.(type) {
	case mapping.RefValue, mapping.LookupValue:
		ref, ok := c.ref(x, f)
		if !ok {
			return nil
		}
		return ref
	case int, int64:
		id, _ := number(x)
		return record.Ref{ID: int64(id)}
	}
	c.fail("VAL306", fmt.Sprintf("%q is not a reference: Ferry never sends names", text(v)),
		"use ref(entity, key) for a row of this plan or lookup(model, field, value) for a record in the target")
	return nil
}

func (c *converter) many2many(v any, f *validate.Field) any {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]record.Ref, 0, len(list))
	for _, e := range list {
		if r, ok := c.many2one(e, f).(record.Ref); ok {
			out = append(out, r)
		}
	}
	return out
}
