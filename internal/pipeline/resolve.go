package pipeline

import (
	"context"
	"fmt"
	"sort"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/plan"
)

// resolve looks up, in one call per model and field, every lookup() value
// of the batch not already cached.
func (p *Pipeline) resolve(ctx context.Context, entity string, batch []*work) error {
	want := map[string]map[string]bool{}
	var gk groupKey
	for _, w := range batch {
		for _, v := range w.values {
			p.wantLookups(want, &gk, v)
		}
		for _, lw := range w.lines {
			for _, lr := range lw.rows {
				for _, v := range lr.values {
					p.wantLookups(want, &gk, v)
				}
			}
		}
	}
	for _, g := range sortedKeys(want) {
		if err := p.lookupGroup(ctx, entity, g, want[g]); err != nil {
			return err
		}
	}
	return nil
}

// wantLookups adds to want, by group, the lookup() values in v (a value,
// or a list of values) that are not cached.
func (p *Pipeline) wantLookups(want map[string]map[string]bool, gk *groupKey, v any) {
	switch x := v.(type) {
	case mapping.LookupValue:
		p.wantLookup(want, gk, x)
	case []any:
		for _, e := range x {
			if lv, ok := e.(mapping.LookupValue); ok {
				p.wantLookup(want, gk, lv)
			}
		}
	}
}

func (p *Pipeline) wantLookup(want map[string]map[string]bool, gk *groupKey, lv mapping.LookupValue) {
	g := gk.of(lv)
	if _, cached := p.cache[g][lv.Value]; cached {
		return
	}
	if want[g] == nil {
		want[g] = map[string]bool{}
	}
	want[g][lv.Value] = true
}

// groupKey builds a lookup's group, model + "\x00" + field (p.cache's
// key), once for a run of values of one model and field.
type groupKey struct {
	model, field, key string
	set               bool
}

func (k *groupKey) of(lv mapping.LookupValue) string {
	if !k.set || lv.Model != k.model || lv.Field != k.field {
		k.model, k.field, k.key, k.set = lv.Model, lv.Field, lv.Model+"\x00"+lv.Field, true
	}
	return k.key
}

func (p *Pipeline) lookupGroup(ctx context.Context, entity, g string, values map[string]bool) error {
	model, field := splitGroup(g)
	if p.opts.Lookups == nil {
		if !p.offline[g] {
			p.offline[g] = true
			p.planFinding(diag.Info, "MAP209", plan.Position{File: p.plan.File}, entity, field,
				fmt.Sprintf("lookup(%q, %q, ...) not checked: no target connection", model, field),
				"the run resolves lookups against the target's records and quarantines the rows they do not find; run --rehearse tries them on a fresh database's reference data")
		}
		return nil
	}
	vals := make([]string, 0, len(values))
	for v := range values {
		vals = append(vals, v)
	}
	sort.Strings(vals)
	got, err := p.opts.Lookups.Lookup(ctx, model, field, vals)
	if err != nil {
		return fmt.Errorf("lookup %s.%s: %w", model, field, err)
	}
	if p.cache[g] == nil {
		p.cache[g] = map[string][]int64{}
	}
	for _, v := range vals {
		p.cache[g][v] = got[v]
	}
	return p.lookupCompanies(ctx, model, got)
}

func splitGroup(g string) (string, string) {
	for i := 0; i < len(g); i++ {
		if g[i] == 0 {
			return g[:i], g[i+1:]
		}
	}
	return g, ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
