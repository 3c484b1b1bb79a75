package pipeline

import (
	"fmt"
	"math"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/record"
)

// normalize applies a duplicate search's normalization.
func normalize(kind, s string) string {
	switch kind {
	case "email":
		return mapping.NormalizeEmail(s)
	case "phone":
		return mapping.Digits(s)
	case "vat":
		return mapping.NormalizeVAT(s)
	case "text":
		return strings.ToLower(strings.Join(strings.Fields(s), " "))
	}
	return s
}

// cleanse reports rows equal to an earlier row after normalization.
func (r *streamRun) cleanse(w *work, rec *record.Record) {
	if r.st.dups == nil {
		r.st.dups = make([]*keyIndex, len(r.c.e.Duplicates))
		for i := range r.st.dups {
			r.st.dups[i] = newKeyIndex(r.p.budget)
		}
	}
	for i, d := range r.c.e.Duplicates {
		v := normalize(d.Normalize, strings.TrimSpace(record.Text(rec.Values[d.Column])))
		if v == "" {
			continue
		}
		h := hash(v)
		first, seen := r.st.dups[i].firstOrAdd(h, uint64(lineOf(rec.Pos)))
		if !seen {
			continue
		}
		sev := diag.Warning
		if d.Severity == "error" {
			sev = diag.Error
		}
		name := d.Name
		if name == "" {
			name = d.Column
		}
		r.finding(w, rec.Pos, sev, "VAL315", d.Column,
			fmt.Sprintf("possible duplicate (%s): same %s as the row at line %d", name, d.Column, first), "merge the rows in the source if they are one")
	}
}

// value returns a rule's subject: the mapped field, else the source column.
func value(values map[string]any, rec *record.Record, name string) any {
	if v, ok := values[name]; ok {
		return v
	}
	return rec.Values[name]
}

func (r *streamRun) rules(w *work, rec *record.Record) {
	if len(r.c.rules) > 0 {
		env := r.reuse.rulesEnv(rec, w.values, displayKey(w.raw, false), r.linesEnv(w))
		for i := range r.c.rules {
			r.rule(w, rec, i, &r.c.rules[i], env, rec.Pos, w.values)
		}
	}
	for _, lw := range w.lines {
		for _, lr := range lw.rows {
			lenv := map[string]any{"row": lr.rec.Values, "out": lr.values, "key": lr.key}
			for i := range lw.cl.rules {
				r.rule(w, lr.rec, -1, &lw.cl.rules[i], lenv, lr.rec.Pos, lr.values)
			}
		}
	}
}

func (r *streamRun) linesEnv(w *work) map[string]any {
	if len(w.lines) == 0 {
		return r.reuse.emptyLines()
	}
	out := make(map[string]any, len(w.lines))
	for _, lw := range w.lines {
		rows := make([]any, 0, len(lw.rows))
		for _, lr := range lw.rows {
			rows = append(rows, lr.values)
		}
		out[lw.cl.spec.Field] = rows
	}
	return out
}

// ruleFail records a rule's finding (its message, if the rule sets one).
type ruleFail struct {
	r   *streamRun
	w   *work
	pos record.Position
	cr  *compiledRule
}

func (f ruleFail) fail(code, field, msg string) {
	ru := f.cr.rule
	if ru.Message != "" {
		msg = ru.Message
	}
	f.r.finding(f.w, f.pos, f.cr.sev, code, field, fmt.Sprintf("rule %s: %s", ru.Label(), msg), "")
}

func (r *streamRun) rule(w *work, rec *record.Record, idx int, cr *compiledRule, env map[string]any, pos record.Position, values map[string]any) {
	ru := cr.rule
	rf := ruleFail{r: r, w: w, pos: pos, cr: cr}
	switch ru.Kind() {
	case "required":
		for _, f := range ru.Required {
			if mapping.Empty(value(values, rec, f)) {
				rf.fail("VAL308", f, f+" is empty")
			}
		}
	case "unique":
		r.unique(rec, idx, ru.Unique, values, rf)
	case "regex":
		if v := value(values, rec, ru.Field); !mapping.Empty(v) && cr.re != nil && !cr.re.MatchString(text(v)) {
			rf.fail("VAL310", ru.Field, fmt.Sprintf("%q does not match %s", text(v), ru.Regex))
		}
	case "range":
		if m := r.rangeRule(value(values, rec, ru.Field), ru.Min, ru.Max); m != "" {
			rf.fail("VAL311", ru.Field, m)
		}
	case "in":
		if v := value(values, rec, ru.Field); !mapping.Empty(v) && !cr.in[text(v)] {
			rf.fail("VAL312", ru.Field, fmt.Sprintf("%q is not one of %s", text(v), strings.Join(ru.In, ", ")))
		}
	case "check":
		r.check(cr, env, rf)
	case "ref":
		if m := r.refRule(value(values, rec, ru.Field), ru.Ref); m != "" {
			rf.fail("VAL314", ru.Field, m)
		}
	}
}

func text(v any) string {
	if f, ok := v.(float64); ok {
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.6f", f), "0"), ".")
	}
	return record.Text(v)
}

func (r *streamRun) unique(rec *record.Record, idx int, fields []string, values map[string]any, rf ruleFail) {
	if idx < 0 || r.e.Pass != 1 {
		return
	}
	var buf [4]string // on the stack for up to four fields
	parts := buf[:0]
	for _, f := range fields {
		v := value(values, rec, f)
		if mapping.Empty(v) {
			return
		}
		parts = append(parts, text(v))
	}
	m := r.st.uniques[idx]
	if m == nil {
		m = newKeyIndex(r.p.budget)
		r.st.uniques[idx] = m
	}
	h := hash(strings.Join(parts, "\x1f"))
	if first, seen := m.firstOrAdd(h, uint64(lineOf(rec.Pos))); seen {
		rf.fail("VAL309", strings.Join(fields, ","), fmt.Sprintf("%s repeats the value of the row at line %d", strings.Join(fields, ","), first))
	}
}

// rangeRule returns what is wrong with v for a range rule, "" if nothing.
func (r *streamRun) rangeRule(v any, lo, hi *float64) string {
	if mapping.Empty(v) {
		return ""
	}
	f, ok := number(v)
	if !ok {
		return fmt.Sprintf("%q is not a number", text(v))
	}
	if lo != nil && f < *lo || hi != nil && f > *hi {
		return fmt.Sprintf("%v is outside [%s, %s]", text(f), bound(lo, "-∞"), bound(hi, "∞"))
	}
	return ""
}

func bound(b *float64, inf string) string {
	if b == nil {
		return inf
	}
	return text(*b)
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case string:
		f, err := mapping.ParseNumber(x, "")
		return f, err == nil
	}
	return 0, false
}

func (r *streamRun) check(cr *compiledRule, env map[string]any, rf ruleFail) {
	if cr.prog == nil {
		return
	}
	v, err := r.runner.Run(cr.prog, env)
	if err != nil {
		rf.fail("VAL313", "", "cannot be evaluated: "+err.Error())
		return
	}
	if b, _ := v.(bool); !b {
		rf.fail("VAL313", "", cr.rule.Check+" is false")
	}
}

// refRule returns what is wrong with v for a ref rule, "" if nothing.
func (r *streamRun) refRule(v any, entity string) string {
	if mapping.Empty(v) {
		return ""
	}
	var rv mapping.RefValue
	switch x := v.(type) {
	case mapping.RefValue:
		rv = x
	default:
		rv = r.p.lib.Ref(entity, []string{strings.TrimSpace(text(v))})
	}
	if !r.p.known(rv, r.e.Name) {
		return fmt.Sprintf("%s %s is not among the rows the plan loads", entity, displayKey(rv.Key, false))
	}
	return ""
}

// known reports whether a reference points at a row that loads (an entity
// already streamed) or exists in the source (the entity itself or its
// group, not loaded yet).
func (p *Pipeline) known(rv mapping.RefValue, from string) bool {
	st := p.state(rv.Entity)
	h := hash(rv.ExternalID)
	if st.done {
		v, ok := st.keys.get(h)
		return ok && v&readyBit != 0
	}
	if st.present != nil {
		return st.present.has(h)
	}
	return true
}

// builtins are Odoo's own consistency checks for standard models.
func (r *streamRun) builtins(w *work, rec *record.Record) {
	if r.c.e.Model != "account.move" {
		return
	}
	var debit, credit float64
	mapped := false
	for _, lw := range w.lines {
		for _, lr := range lw.rows {
			d, okd := number(lr.values["debit"])
			c, okc := number(lr.values["credit"])
			if okd || okc {
				mapped = true
			}
			debit, credit = debit+d, credit+c
			r.sameAsHeader(w, lr, "currency_id")
			r.sameAsHeader(w, lr, "company_id")
		}
	}
	if mapped && math.Abs(debit-credit) >= 0.005 {
		r.finding(w, rec.Pos, diag.Error, "VAL316", "", fmt.Sprintf("lines do not balance: debit %.2f, credit %.2f", debit, credit),
			"a journal entry's debits must equal its credits")
	}
}

func (r *streamRun) sameAsHeader(w *work, lr lineRow, field string) {
	h, lv := w.values[field], lr.values[field]
	if mapping.Empty(h) || mapping.Empty(lv) || fmt.Sprint(h) == fmt.Sprint(lv) {
		return
	}
	r.finding(w, lr.rec.Pos, diag.Error, "VAL317", field, fmt.Sprintf("the line's %s differs from the document's", field), "")
}
