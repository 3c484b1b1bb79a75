package pipeline

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source/open"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// PlanError carries the findings that make a plan unusable against a
// target (a field that does not exist, an expression that does not
// compile). It exits with the usage code.
type PlanError struct {
	Findings []diag.Diagnostic
}

func (e *PlanError) Error() string {
	n := 0
	for _, d := range e.Findings {
		if d.Severity >= diag.Error {
			n++
		}
	}
	return fmt.Sprintf("the plan has %d error(s) against the target", n)
}

// ExitCode makes the CLI exit 2 (usage/configuration).
func (e *PlanError) ExitCode() int { return 2 }

// Pipeline is a prepared plan. It is not safe for concurrent use: stream
// one entity at a time, in Entities order.
type Pipeline struct {
	plan     *plan.Plan
	opts     Options
	ids      *mapping.IDs
	lib      *mapping.Library
	comp     *mapping.Compiler
	entities map[string]*compiled
	order    []*Entity
	findings []diag.Diagnostic
	states   map[string]*entityState
	budget   *indexBudget
	cache    map[string]map[string][]int64
	// companies holds, per company-bound model, the companies of records
	// lookups found (for VAL323).
	companies map[string]map[int64][]int64
	offline   map[string]bool
	warned    map[string]bool // sources whose insecure connection was reported
}

type compiledField struct {
	plan.FieldMap
	prog   *mapping.Program
	link   bool
	schema *validate.Field
}

type compiledRule struct {
	rule *plan.Rule
	prog *mapping.Program
	re   *regexp.Regexp
	in   map[string]bool
	sev  diag.Severity
}

type compiledSkip struct {
	filter *plan.Filter
	prog   *mapping.Program
}

type compiledLines struct {
	spec   *plan.Lines
	model  string
	fields []compiledField
	rules  []compiledRule
}

type compiled struct {
	e      *plan.Entity
	fields []compiledField
	skips  []compiledSkip
	rules  []compiledRule
	lines  []compiledLines
	refs   map[string]bool
	trans  []compiledTranslation
	recon  *mapping.Program // reconcile: with (reconcile.go)
}

// Prepare compiles the plan's expressions, checks the mappings against
// the target's schema (when Options.Schema is set) and orders the
// entities. Plan-level problems come back as a *PlanError listing all of
// them; Findings returns the warnings.
func Prepare(ctx context.Context, p *plan.Plan, opts Options) (*Pipeline, error) {
	if opts.Open == nil {
		opts.Open = open.Open
	}
	if opts.LookupBatch <= 0 {
		opts.LookupBatch = 500
	}
	if opts.IndexBudget == 0 {
		opts.IndexBudget = DefaultIndexBudget
	}
	pl := &Pipeline{plan: p, opts: opts, entities: map[string]*compiled{}, states: map[string]*entityState{},
		cache: map[string]map[string][]int64{}, offline: map[string]bool{},
		budget: &indexBudget{limit: opts.IndexBudget, dir: opts.SpillDir}}
	pl.ids = mapping.NewIDs(p.Namespace, opts.KeySecret)
	keys := map[string]mapping.KeyInfo{}
	for _, e := range p.Entities {
		keys[e.Name] = mapping.KeyInfo{Personal: e.PersonalKey}
	}
	pl.lib = mapping.NewLibrary(p.Dir, pl.ids, keys)
	pl.comp = mapping.NewCompiler(pl.lib)
	if isModule(p.Namespace, opts.Modules) {
		pl.planFinding(diag.Error, "MAP205", plan.Position{File: p.File}, "", "",
			fmt.Sprintf("namespace %q is the name of an Odoo module: updating that module would delete these records", p.Namespace),
			"choose a namespace of your own, such as "+p.Namespace+"_migration")
	}
	for i := range p.Entities {
		pl.compileEntity(&p.Entities[i])
	}
	pl.orderEntities()
	if diag.Max(pl.findings) >= diag.Error {
		return nil, &PlanError{Findings: pl.findings}
	}
	return pl, nil
}

// Findings returns plan-level findings below error (two-pass notices,
// unchecked lookups).
func (p *Pipeline) Findings() []diag.Diagnostic { return append([]diag.Diagnostic(nil), p.findings...) }

// Plan returns the plan the pipeline runs.
func (p *Pipeline) Plan() *plan.Plan { return p.plan }

// LineModel is the model of the one2many field's lines of an entity ("" when
// the entity has no such lines).
func (p *Pipeline) LineModel(entity, field string) string {
	c := p.entities[entity]
	if c == nil {
		return ""
	}
	for _, l := range c.lines {
		if l.spec.Field == field {
			return l.model
		}
	}
	return ""
}

// Entities returns the passes in load order.
func (p *Pipeline) Entities() []*Entity { return p.order }

// Close releases what Stream holds between entities (the key indexes'
// memory and spill files).
func (p *Pipeline) Close() error {
	for _, st := range p.states {
		st.release()
	}
	p.states = map[string]*entityState{}
	return p.budget.err
}

func (p *Pipeline) planFinding(sev diag.Severity, code string, pos plan.Position, entity, field, msg, hint string) {
	p.findings = append(p.findings, diag.Diagnostic{Code: code, Severity: sev, Entity: entity, Field: field,
		Pos: posOf(pos), Msg: msg, Hint: hint})
}

func posOf(pos plan.Position) (r record.Position) {
	r.File = pos.String()
	return r
}

func (p *Pipeline) compileEntity(e *plan.Entity) {
	c := &compiled{e: e, refs: map[string]bool{}}
	p.entities[e.Name] = c
	model := p.model(e.Model, e.Name)
	c.fields = p.compileFields(e, e.Fields, e.Model, model, c.refs, e.AllowReadonly)
	c.trans = p.compileTranslations(e, model)
	c.recon = p.compileReconcile(e)
	p.checkUnmasked(e)
	for i := range e.Skip {
		prog := p.compileBool(e.Skip[i].When, e.Skip[i].Pos, e.Name, "skip "+e.Skip[i].Name)
		c.skips = append(c.skips, compiledSkip{filter: &e.Skip[i], prog: prog})
	}
	c.rules = p.compileRules(e, e.Rules)
	for i := range e.Lines {
		c.lines = append(c.lines, p.compileLines(e, &e.Lines[i], model, c.refs))
	}
	for _, d := range e.DependsOn {
		c.refs[d] = true
	}
}

func (p *Pipeline) model(name, entity string) map[string]validate.Field {
	if p.opts.Schema == nil {
		return nil
	}
	m, ok := p.opts.Schema[name]
	if !ok {
		p.planFinding(diag.Error, "VAL300", plan.Position{File: p.plan.File}, entity, "",
			fmt.Sprintf("model %s does not exist in the target", name), "check the model name, or install its module")
	}
	return m
}

func (p *Pipeline) compileFields(e *plan.Entity, fms plan.FieldMaps, modelName string, model map[string]validate.Field,
	refs map[string]bool, allow []string) []compiledField {
	out := make([]compiledField, 0, len(fms))
	for _, fm := range fms {
		cf := compiledField{FieldMap: fm}
		prog, err := p.comp.Compile(fm.Expr)
		if err != nil {
			p.planFinding(diag.Error, "MAP200", fm.Pos, e.Name, fm.Field, err.Error(), "")
		}
		cf.prog = prog
		if prog != nil {
			for _, r := range prog.Refs {
				refs[r] = true
				p.checkRefEntity(e, fm, r, model)
			}
		}
		if model != nil {
			cf.schema = p.checkField(e, fm, modelName, model, allow)
		}
		out = append(out, cf)
	}
	return out
}

func (p *Pipeline) checkField(e *plan.Entity, fm plan.FieldMap, modelName string, model map[string]validate.Field, allow []string) *validate.Field {
	f, ok := model[fm.Field]
	switch {
	case !ok:
		p.planFinding(diag.Error, "VAL301", fm.Pos, e.Name, fm.Field,
			fmt.Sprintf("model %s has no field %s", modelName, fm.Field), suggest(fm.Field, model))
		return nil
	case modelName == "res.users" && (fm.Field == "password" || fm.Field == "new_password"):
		p.planFinding(diag.Error, "VAL321", fm.Pos, e.Name, fm.Field,
			"passwords are never migrated: users set theirs with Odoo's reset link", "remove the mapping")
	case f.Type == "one2many":
		p.planFinding(diag.Error, "VAL319", fm.Pos, e.Name, fm.Field,
			fmt.Sprintf("%s is a one2many field", fm.Field), "map its rows under lines: with a line_key")
	case (f.Readonly || fm.Field == "state") && !contains(allow, fm.Field) && !writableReadonly(modelName, fm.Field):
		p.planFinding(diag.Error, "VAL307", fm.Pos, e.Name, fm.Field,
			fmt.Sprintf("%s is %s: writing it bypasses Odoo's business logic", fm.Field, readonlyWhy(fm.Field, f)),
			"use after_load for state changes, or allow_readonly: ["+fm.Field+"] if you are sure")
	}
	return &f
}

func readonlyWhy(name string, f validate.Field) string {
	switch {
	case name == "state":
		return "a document state"
	case !f.Store:
		return "computed"
	}
	return "readonly"
}

func (p *Pipeline) checkRefEntity(e *plan.Entity, fm plan.FieldMap, ref string, model map[string]validate.Field) {
	target := p.plan.Entity(ref)
	if target == nil {
		p.planFinding(diag.Error, "MAP206", fm.Pos, e.Name, fm.Field, fmt.Sprintf("ref() names entity %q, which the plan does not declare", ref), "")
		return
	}
	if f, ok := model[fm.Field]; ok && f.Relation != "" && f.Relation != target.Model {
		p.planFinding(diag.Error, "VAL306", fm.Pos, e.Name, fm.Field,
			fmt.Sprintf("%s points at %s, but entity %s loads %s", fm.Field, f.Relation, ref, target.Model), "")
	}
}

func (p *Pipeline) compileBool(src string, pos plan.Position, entity, what string) *mapping.Program {
	prog, err := p.comp.CompileBool(src)
	if err != nil {
		p.planFinding(diag.Error, "MAP200", pos, entity, "", what+": "+err.Error(), "")
	}
	return prog
}

func (p *Pipeline) compileRules(e *plan.Entity, rules []plan.Rule) []compiledRule {
	out := make([]compiledRule, 0, len(rules))
	for i := range rules {
		r := &rules[i]
		cr := compiledRule{rule: r, sev: diag.Error}
		if r.Severity == "warning" {
			cr.sev = diag.Warning
		}
		if r.Check != "" {
			cr.prog = p.compileBool(r.Check, r.Pos, e.Name, "rule "+r.Label())
		}
		if r.Regex != "" {
			cr.re, _ = regexp.Compile(r.Regex)
		}
		if len(r.In) > 0 {
			cr.in = map[string]bool{}
			for _, v := range r.In {
				cr.in[v] = true
			}
		}
		if r.Ref != "" && p.plan.Entity(r.Ref) == nil {
			p.planFinding(diag.Error, "MAP206", r.Pos, e.Name, r.Field, fmt.Sprintf("rule %s: unknown entity %q", r.Label(), r.Ref), "")
		}
		out = append(out, cr)
	}
	return out
}

func (p *Pipeline) compileLines(e *plan.Entity, l *plan.Lines, model map[string]validate.Field, refs map[string]bool) compiledLines {
	cl := compiledLines{spec: l}
	var lineModel map[string]validate.Field
	if model != nil {
		f, ok := model[l.Field]
		switch {
		case !ok:
			p.planFinding(diag.Error, "VAL301", plan.Position{File: p.plan.File}, e.Name, l.Field,
				fmt.Sprintf("model %s has no field %s", e.Model, l.Field), "")
		case f.Type != "one2many":
			p.planFinding(diag.Error, "VAL306", plan.Position{File: p.plan.File}, e.Name, l.Field,
				fmt.Sprintf("%s is a %s field, not one2many", l.Field, f.Type), "")
		default:
			cl.model = f.Relation
			lineModel = p.model(f.Relation, e.Name)
		}
	}
	cl.fields = p.compileFields(e, l.Fields, cl.model, lineModel, refs, nil)
	cl.rules = p.compileRules(e, l.Rules)
	return cl
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// suggest names a field of the model whose name contains, or is contained
// in, the unknown one.
func suggest(name string, model map[string]validate.Field) string {
	best := ""
	for n := range model {
		if (strings.Contains(n, name) || strings.Contains(name, n)) && len(n) > 2 && (best == "" || n < best) {
			best = n
		}
	}
	if best == "" {
		return ""
	}
	return "did you mean " + best + "?"
}
