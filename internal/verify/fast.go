package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/record"
)

// FastPath compares rows with Odoo's database instead of reading the
// records over RPC; internal/verify/fastpath implements it over a
// read-only PostgreSQL connection. Run calls it on its own goroutine, one
// call at a time. Any error it returns aborts the verification: a fast
// path that cannot answer must say so through Begin's reason instead.
type FastPath interface {
	// Index calls fn for every external ID under namespace (module) with
	// its model and database id: the same rows loadIndex reads over RPC.
	Index(ctx context.Context, namespace string, fn func(xmlid, model string, id int64)) error
	// Begin starts a comparison of rows of model that all carry exactly
	// fields. When the fast path cannot compare them exactly it returns a
	// nil batch and the reason, and Run compares them over RPC.
	Begin(ctx context.Context, model string, fields []Field, ix IDs) (FastBatch, string, error)
}

// FastBatch collects the rows of one Begin and compares them all at once.
type FastBatch interface {
	// Add takes one expected row; the batch keeps only what it needs.
	Add(e Expected)
	// Finish compares the rows added and calls emit once per row, with
	// the same verdict (and the same canonical values of differing
	// fields) as the RPC comparison.
	Finish(ctx context.Context, emit func(Result)) error
}

// IDs resolves external IDs both ways over the target's ir.model.data
// under the plan's namespace.
type IDs interface {
	Resolver
	// ID returns the database id of xmlid when it is a record of model,
	// as Resolver would name it back; ok is false otherwise.
	ID(model, xmlid string) (id int64, ok bool)
}

// PathUse says how the rows of one model of an entity were compared.
type PathUse struct {
	Model string
	// Path is "database" (the fast path) or "rpc".
	Path string
	// Rows counts the rows compared (of the entity pass with the most).
	Rows int
	// Reason says why rows went over RPC although a fast path was given.
	Reason string
}

// CanonicalScalar renders a value of a scalar field (not a relation) in
// the canonical form verify compares: what compareField uses for both
// the wanted and the read value.
func CanonicalScalar(f Field, v any) string { return canonScalar(f, v) }

// ParentSynced reports whether Odoo copies field from a contact's parent
// company (res.partner address and commercial fields): CompareRow skips
// such a field when the row leaves it empty and the contact has a parent.
func ParentSynced(model, field string) bool { return model == "res.partner" && partnerSync[field] }

// EmptyWant reports whether a wanted value counts as left empty for
// ParentSynced (nil, "" or false; an empty Ref does not).
func EmptyWant(v any) bool { return v == nil || v == "" || v == false }

// WantValue returns the value a row means for a field: Values[name], or
// the external IDs of its one2many lines as references.
func WantValue(row record.Row, name string) any { return wantValue(row, name) }

// ID resolves xmlid to the id of a record of model under the namespace.
func (ix *index) ID(model, xmlid string) (int64, bool) {
	id, ok := ix.byXML[xmlid]
	if !ok || ix.model[xmlid] != model || ix.XMLID(model, id) != xmlid {
		return 0, false
	}
	return id, true
}

// loadIndexFast reads the namespace's external IDs through the fast path.
func loadIndexFast(ctx context.Context, f FastPath, namespace string) (*index, error) {
	ix := &index{byXML: map[string]int64{}, model: map[string]string{}, byID: map[string]map[int64]string{}}
	err := f.Index(ctx, namespace, func(x, m string, id int64) {
		ix.byXML[x], ix.model[x] = id, m
		if ix.byID[m] == nil {
			ix.byID[m] = map[int64]string{}
		}
		ix.byID[m][id] = x
	})
	if err != nil {
		return nil, fmt.Errorf("verify: read the external IDs under %s from the database: %w", namespace, err)
	}
	return ix, nil
}

// fastState is the runner's fast-path bookkeeping for one entity pass.
type fastState struct {
	groups map[string]*fastGroup // model + fields → open batch
	order  []string
	uses   map[string]*PathUse // model + path → use
	useKey []string
}

type fastGroup struct {
	model string
	batch FastBatch
}

// fastAdd hands row to the fast path when one is configured and it can
// compare the row's model and fields; handled is false when the row must
// go over RPC.
func (r *runner) fastAdd(ctx context.Context, e Expected) (handled bool, err error) {
	row := e.Row
	if r.opts.Fast == nil {
		return false, nil
	}
	if r.fast == nil {
		r.fast = &fastState{groups: map[string]*fastGroup{}, uses: map[string]*PathUse{}}
	}
	schema, err := r.schema(ctx, row.Model)
	if err != nil {
		return false, err
	}
	names := r.comparedFields(row)
	key := row.Model + "\x00" + strings.Join(names, ",")
	g, seen := r.fast.groups[key]
	if !seen {
		g = &fastGroup{model: row.Model}
		reason := ""
		if row.Model == "stock.quant" {
			reason = "stock.quant compares inventory_quantity with the applied quantity"
		} else {
			fields := make([]Field, len(names))
			for i, n := range names {
				f, ok := schema[n]
				if !ok {
					f = Field{Name: n, Type: "char", Digits: -1}
				}
				fields[i] = f
			}
			g.batch, reason, err = r.opts.Fast.Begin(ctx, row.Model, fields, r.ix)
			if err != nil {
				return false, err
			}
		}
		r.fast.groups[key] = g
		r.fast.order = append(r.fast.order, key)
		if g.batch == nil {
			r.fast.use(row.Model, "rpc", reason)
		}
	}
	if g.batch == nil {
		r.fast.use(row.Model, "rpc", "").Rows++
		return false, nil
	}
	g.batch.Add(e)
	r.fast.use(row.Model, "database", "").Rows++
	return true, nil
}

// comparedFields are the row's fields CompareRow compares, less the
// excluded ones.
func (r *runner) comparedFields(row record.Row) []string {
	var names []string
	for _, n := range wantedFields(row) {
		if !contains(r.opts.Exclude[row.Model], n) {
			names = append(names, n)
		}
	}
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (f *fastState) use(model, path, reason string) *PathUse {
	k := model + "\x00" + path
	u := f.uses[k]
	if u == nil {
		u = &PathUse{Model: model, Path: path}
		f.uses[k] = u
		f.useKey = append(f.useKey, k)
	}
	if u.Reason == "" && reason != "" {
		u.Reason = reason
	}
	return u
}

// fastFinish compares the entity pass's fast-path batches and records
// which path each model took.
func (r *runner) fastFinish(ctx context.Context, er *EntityResult) error {
	if r.fast == nil {
		return nil
	}
	f := r.fast
	r.fast = nil
	for _, k := range f.order {
		if g := f.groups[k]; g.batch != nil {
			if err := g.batch.Finish(ctx, r.merge); err != nil {
				return fmt.Errorf("verify: compare %s in the database: %w", g.model, err)
			}
		}
	}
	for _, k := range f.useKey {
		er.addPath(*f.uses[k])
	}
	return nil
}

// addPath merges a path use into the entity's list (an entity's second
// pass compares the same records' links: the larger count is kept).
func (er *EntityResult) addPath(u PathUse) {
	for i := range er.Paths {
		p := &er.Paths[i]
		if p.Model == u.Model && p.Path == u.Path {
			p.Rows = max(p.Rows, u.Rows)
			if p.Reason == "" {
				p.Reason = u.Reason
			}
			return
		}
	}
	er.Paths = append(er.Paths, u)
	sort.SliceStable(er.Paths, func(i, j int) bool { return er.Paths[i].Model < er.Paths[j].Model })
}
