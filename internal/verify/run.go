package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Target is what Run reads from Odoo; *odoo.Client satisfies it.
type Target interface {
	Reader
	Grouper
	Each(ctx context.Context, model string, domain odoo.Domain, fields []string, pageSize int, fn func(map[string]any) error) error
	FieldsGet(ctx context.Context, model string, attributes []string) (map[string]map[string]any, error)
}

// Verification is the verdict on a whole plan.
type Verification struct {
	Entities []*EntityResult
	Controls []ControlResult
}

// Clean reports whether every record and every control matched.
func (v *Verification) Clean() bool {
	for _, e := range v.Entities {
		if !e.Clean() {
			return false
		}
	}
	for _, c := range v.Controls {
		if c.Status != Match {
			return false
		}
	}
	return true
}

// Options tune Run.
type Options struct {
	// Exclude lists fields not compared, per model (fields Odoo computes
	// or changes after the load).
	Exclude map[string][]string
	// BatchSize is how many records one read fetches (default 200).
	BatchSize int
	Events    progress.Sink
	// Refused holds the external IDs the loader quarantined because Odoo
	// refused them (from the ledger): they were not meant to arrive.
	Refused map[string]bool
	// Fast, when set, reads the external IDs and compares the rows it
	// supports in Odoo's database (a read-only DSN); the rest go over RPC.
	Fast FastPath
}

// EntityResult is the verdict on one entity: every expected record (and
// one2many line) in exactly one bucket, and every non-matching result.
type EntityResult struct {
	Name    string
	Model   string
	Match   int
	Differ  int
	Missing int
	Extra   int
	// NotExpected counts rows the pipeline quarantined or skipped; they
	// are not meant to arrive and are not verified.
	NotExpected int
	Results     []Result
	// Paths says how each model's rows were compared when Options.Fast
	// was set.
	Paths []PathUse
}

// Clean reports whether every record matched and nothing extra is there.
func (e *EntityResult) Clean() bool { return e.Differ+e.Missing+e.Extra == 0 }

func (e *EntityResult) add(r Result) {
	switch r.Status {
	case Match:
		e.Match++
		return
	case Differ:
		e.Differ++
	case Missing:
		e.Missing++
	case Extra:
		e.Extra++
	}
	e.Results = append(e.Results, r)
}

// index maps the plan's external IDs in the target both ways.
type index struct {
	byXML map[string]int64            // "ns.name" → id (per model below)
	model map[string]string           // "ns.name" → model
	byID  map[string]map[int64]string // model → id → "ns.name"
}

func (ix *index) XMLID(model string, id int64) string { return ix.byID[model][id] }

// loadIndex reads ir.model.data under the plan's namespace.
func loadIndex(ctx context.Context, t Target, namespace string) (*index, error) {
	ix := &index{byXML: map[string]int64{}, model: map[string]string{}, byID: map[string]map[int64]string{}}
	err := t.Each(ctx, "ir.model.data", odoo.Domain{[]any{"module", "=", namespace}}, []string{"name", "model", "res_id"}, 5000,
		func(r map[string]any) error {
			x := namespace + "." + fmt.Sprint(r["name"])
			m, _ := r["model"].(string)
			id, _ := toFloat(r["res_id"])
			ix.byXML[x], ix.model[x] = int64(id), m
			if ix.byID[m] == nil {
				ix.byID[m] = map[int64]string{}
			}
			ix.byID[m][int64(id)] = x
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("verify: read the external IDs under %s (the user needs read access to ir.model.data): %w", namespace, err)
	}
	return ix, nil
}

// Run verifies every entity of a prepared plan against the target: it
// streams what was meant to arrive (the pipeline's ready rows, lines
// included), reads the records by external ID, compares them field by
// field, and lists records under the plan's namespace that no row claims.
func Run(ctx context.Context, p *pipeline.Pipeline, t Target, opts Options) (*Verification, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 200
	}
	var ix *index
	var err error
	if opts.Fast != nil {
		ix, err = loadIndexFast(ctx, opts.Fast, p.Plan().Namespace)
	} else {
		ix, err = loadIndex(ctx, t, p.Plan().Namespace)
	}
	if err != nil {
		return nil, err
	}
	r := &runner{t: t, ix: ix, opts: opts, schemas: map[string]map[string]Field{}, byName: map[string]*EntityResult{},
		controls: p.Plan().Controls, sums: map[string]map[string]float64{}}
	if err := r.checkTranslationLangs(ctx, p.Plan().Languages()); err != nil {
		return nil, err
	}
	var out []*EntityResult
	for _, e := range p.Entities() {
		er := r.byName[e.Name]
		if er == nil {
			er = &EntityResult{Name: e.Name, Model: e.Model}
			r.byName[e.Name] = er
			out = append(out, er)
		}
		if err := r.entity(ctx, p, e, er); err != nil {
			return nil, err
		}
	}
	for _, er := range out {
		if err := er.finish(ctx, r, p.Plan().Entity(er.Name)); err != nil {
			return nil, err
		}
	}
	controls, err := controlResults(ctx, p, t, r.sums)
	if err != nil {
		return nil, err
	}
	builtin, err := r.accountingControls(ctx)
	if err != nil {
		return nil, err
	}
	stock, err := r.stockControls(ctx)
	if err != nil {
		return nil, err
	}
	return &Verification{Entities: out, Controls: append(append(controls, builtin...), stock...)}, nil
}

type runner struct {
	moves   moveTotals  // the built-in accounting controls' source side
	stock   stockTotals // the built-in stock control's source side
	t       Target
	ix      *index
	opts    Options
	schemas map[string]map[string]Field
	money   *Money
	byName  map[string]*EntityResult
	claimed map[string]bool
	results map[string]*Result // per external ID, merged over passes
	// controls over an entity are summed from its rows meant to arrive
	// while they stream.
	controls []plan.Control
	sums     map[string]map[string]float64
	fast     *fastState // the entity pass's fast-path batches
	trans    translationState
}

func (r *runner) schema(ctx context.Context, model string) (map[string]Field, error) {
	if s, ok := r.schemas[model]; ok {
		return s, nil
	}
	defs, err := r.t.FieldsGet(ctx, model, fieldAttributes)
	if err != nil {
		return nil, err
	}
	s := FieldsOf(defs)
	r.schemas[model] = s
	return s, nil
}

// FieldsOf turns a fields_get answer (type, relation, digits,
// currency_field) into the
// fields comparisons use.
func FieldsOf(defs map[string]map[string]any) map[string]Field {
	s := make(map[string]Field, len(defs))
	for n, d := range defs {
		f := Field{Name: n, Digits: -1}
		f.Type, _ = d["type"].(string)
		f.Relation, _ = d["relation"].(string)
		f.Currency, _ = d["currency_field"].(string)
		if dg, ok := d["digits"].([]any); ok && len(dg) == 2 {
			if n, ok := toFloat(dg[1]); ok {
				f.Digits = int(n)
			}
		}
		s[n] = f
	}
	return s
}

func (r *runner) entity(ctx context.Context, p *pipeline.Pipeline, e *pipeline.Entity, er *EntityResult) error {
	if r.claimed == nil {
		r.claimed, r.results = map[string]bool{}, map[string]*Result{}
	}
	batches := map[string][]Expected{}
	flush := func(model string) error {
		rows := batches[model]
		batches[model] = nil
		if len(rows) == 0 {
			return nil
		}
		return r.batch(ctx, model, rows)
	}
	add := func(row record.Row) error {
		row = withoutFileBytes(row) // digests suffice (attachments.go)
		r.claimed[row.ExternalID] = true
		exp := Expected{Row: row, ID: r.ix.byXML[row.ExternalID]}
		if handled, err := r.fastAdd(ctx, exp); handled || err != nil {
			return err
		}
		batches[row.Model] = append(batches[row.Model], exp)
		if len(batches[row.Model]) >= r.opts.BatchSize {
			return flush(row.Model)
		}
		return nil
	}
	err := p.Stream(ctx, e, func(o pipeline.Outcome) error {
		if o.State != pipeline.Ready || o.Row == nil {
			if e.Pass == 1 {
				er.NotExpected++
			}
			return nil
		}
		if r.opts.Refused[o.Row.ExternalID] {
			if e.Pass == 1 {
				er.NotExpected++
			}
			return nil
		}
		if err := r.addControls(e, o); err != nil {
			return err
		}
		r.addAccounting(e, o)
		r.addStock(e, o)
		if err := add(*o.Row); err != nil {
			return err
		}
		if err := r.addTranslations(ctx, *o.Row); err != nil {
			return err
		}
		for _, lines := range o.Row.Lines {
			for _, l := range lines {
				if err := add(l); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	models := make([]string, 0, len(batches))
	for m := range batches {
		models = append(models, m)
	}
	sort.Strings(models)
	for _, m := range models {
		if err := flush(m); err != nil {
			return err
		}
	}
	if err := r.flushAllTranslations(ctx); err != nil {
		return err
	}
	return r.fastFinish(ctx, er)
}

func (r *runner) batch(ctx context.Context, model string, rows []Expected) error {
	schema, err := r.schema(ctx, model)
	if err != nil {
		return err
	}
	exclude := map[string]bool{}
	for _, f := range r.opts.Exclude[model] {
		exclude[f] = true
	}
	if r.money == nil {
		r.money = &Money{R: r.t}
	}
	v := Verifier{Reader: r.t, Schema: func(string) map[string]Field { return schema }, Resolver: r.ix, Money: r.money, Exclude: exclude}
	return v.Batch(ctx, model, rows, func(res Result) { r.merge(res) })
}

// merge combines the results of both passes of an entity for one record.
func (r *runner) merge(res Result) {
	prev, ok := r.results[res.ExternalID]
	if !ok {
		cp := res
		r.results[res.ExternalID] = &cp
		return
	}
	if res.Status == Missing || prev.Status == Missing {
		prev.Status, prev.Diffs = Missing, nil
		return
	}
	prev.Diffs = append(prev.Diffs, res.Diffs...)
	if len(prev.Diffs) > 0 {
		prev.Status = Differ
	}
}

// finish counts an entity's merged results and its extras: records under
// the namespace named after the entity that no row claims.
func (er *EntityResult) finish(ctx context.Context, r *runner, pe *plan.Entity) error {
	var ids []string
	for x, res := range r.results {
		if res.Entity == er.Name {
			ids = append(ids, x)
		}
	}
	sort.Strings(ids)
	for _, x := range ids {
		er.add(*r.results[x])
	}
	prefix := "." + er.Name + "_"
	var extras []string
	for x := range r.ix.byXML {
		if !r.claimed[x] && strings.Contains(x, prefix) && strings.HasPrefix(x[strings.Index(x, "."):], prefix) && !r.companion(x) {
			extras = append(extras, x)
		}
	}
	sort.Strings(extras)
	archived, err := r.archived(ctx, pe, extras)
	if err != nil {
		return err
	}
	for _, x := range extras {
		if archived[x] {
			er.NotExpected++ // gone from the source and archived, as the plan says
			continue
		}
		er.add(Result{Entity: er.Name, Model: r.ix.model[x], ExternalID: x, ID: r.ix.byXML[x], Status: Extra})
	}
	return nil
}

// archived reports which extras are archived records of an entity whose
// plan archives rows gone from the source (on_delete: archive).
func (r *runner) archived(ctx context.Context, pe *plan.Entity, extras []string) (map[string]bool, error) {
	out := map[string]bool{}
	if pe == nil || pe.OnDelete != "archive" || len(extras) == 0 {
		return out, nil
	}
	byID := map[int64]string{}
	ids := make([]int64, 0, len(extras))
	for _, x := range extras {
		if r.ix.model[x] == pe.Model {
			byID[r.ix.byXML[x]] = x
			ids = append(ids, r.ix.byXML[x])
		}
	}
	recs, err := r.t.Read(ctx, pe.Model, ids, []string{"active"})
	if err != nil {
		return nil, fmt.Errorf("verify: read %s records gone from the source: %w", pe.Model, err)
	}
	for _, rec := range recs {
		if id, ok := toFloat(rec["id"]); ok && rec["active"] == false {
			out[byID[int64(id)]] = true
		}
	}
	return out, nil
}

// addControls adds a ready row to the controls computed over its entity.
func (r *runner) addControls(e *pipeline.Entity, o pipeline.Outcome) error {
	if e.Pass != 1 || o.Source == nil {
		return nil
	}
	for _, c := range r.controls {
		if c.Source.Entity != e.Name {
			continue
		}
		if r.sums[c.Name] == nil {
			r.sums[c.Name] = map[string]float64{}
		}
		if err := addRow(r.sums[c.Name], o.Source, c.Source); err != nil {
			return fmt.Errorf("control %q: %w", c.Name, err)
		}
	}
	return nil
}

// companion reports the external ID Odoo adds for an _inherits parent
// record (a product.product load also creates <id>_product_template;
// checked on Odoo 18): it belongs to a claimed record, it is not extra.
func (r *runner) companion(x string) bool {
	model := r.ix.model[x]
	suffix := "_" + strings.ReplaceAll(model, ".", "_")
	return strings.HasSuffix(x, suffix) && r.claimed[strings.TrimSuffix(x, suffix)]
}
