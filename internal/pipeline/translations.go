package pipeline

import (
	"fmt"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// CodeNotTranslatable is the finding for a translations: field Odoo does
// not translate.
const CodeNotTranslatable = "VAL322"

func init() {
	diag.Codes = append(diag.Codes, diag.Code{Code: CodeNotTranslatable,
		Summary: "translations: names a field the target does not translate (fields_get translate is false)"})
}

// compiledTranslation is one field[lang] expression of an entity.
type compiledTranslation struct {
	plan.Translation
	prog   *mapping.Program
	schema *validate.Field
}

// compileTranslations compiles an entity's translations and checks that
// each field exists and is translatable (fields_get translate: true) and
// holds text.
func (p *Pipeline) compileTranslations(e *plan.Entity, model map[string]validate.Field) []compiledTranslation {
	out := make([]compiledTranslation, 0, len(e.Translations))
	for _, tr := range e.Translations {
		ct := compiledTranslation{Translation: tr}
		prog, err := p.comp.Compile(tr.Expr)
		if err != nil {
			p.planFinding(diag.Error, "MAP200", tr.Pos, e.Name, tr.Label(), err.Error(), "")
		}
		ct.prog = prog
		if model != nil {
			ct.schema = p.checkTranslatable(e, tr, model)
		}
		out = append(out, ct)
	}
	return out
}

func (p *Pipeline) checkTranslatable(e *plan.Entity, tr plan.Translation, model map[string]validate.Field) *validate.Field {
	f, ok := model[tr.Field]
	switch {
	case !ok:
		p.planFinding(diag.Error, "VAL301", tr.Pos, e.Name, tr.Label(),
			fmt.Sprintf("model %s has no field %s", e.Model, tr.Field), suggest(tr.Field, model))
		return nil
	case !f.Translate || (f.Type != "char" && f.Type != "text" && f.Type != "html"):
		p.planFinding(diag.Error, CodeNotTranslatable, tr.Pos, e.Name, tr.Label(),
			fmt.Sprintf("%s.%s is not translatable in the target", e.Model, tr.Field),
			"translate only fields whose fields_get says translate: true (ferry schema "+e.Model+")")
		return nil
	}
	return &f
}

// evalTranslations evaluates a pass-1 row's translations with the same
// environment as its fields (row, out, key).
func (r *streamRun) evalTranslations(w *work, env map[string]any) {
	if r.e.Pass != 1 || len(r.c.trans) == 0 {
		return
	}
	w.trans = make([]any, len(r.c.trans))
	for i := range r.c.trans {
		ct := &r.c.trans[i]
		if ct.prog == nil {
			continue
		}
		v, err := r.runner.Run(ct.prog, env)
		if err != nil {
			r.fromErr(w, w.out.Source.Pos, ct.Label(), err)
			continue
		}
		w.trans[i] = v
	}
}

// buildTranslations converts the evaluated translations to text: field →
// language → value, "" for an empty value (no translation: Odoo falls
// back to en_US). A value too long for the field is a finding.
func (r *streamRun) buildTranslations(w *work) map[string]map[string]string {
	if len(w.trans) == 0 {
		return nil
	}
	out := map[string]map[string]string{}
	for i := range r.c.trans {
		ct := &r.c.trans[i]
		if ct.prog == nil {
			continue
		}
		c := &converter{r: r, w: w, pos: w.out.Source.Pos, field: ct.Label()}
		s, _ := c.value(w.trans[i], textField(ct.schema)).(string)
		if out[ct.Field] == nil {
			out[ct.Field] = map[string]string{}
		}
		out[ct.Field][ct.Lang] = s
	}
	return out
}

// textField is the field a translation converts to: its schema without
// required (an empty translation falls back to en_US), else char.
func textField(f *validate.Field) *validate.Field {
	if f == nil {
		return &validate.Field{Type: "char"}
	}
	cp := *f
	cp.Required = false
	return &cp
}
