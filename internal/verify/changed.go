package verify

import (
	"context"
	"sort"
	"sync"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Current is where Checker reads the target's current values;
// *odoo.Client is one.
type Current interface {
	Read(ctx context.Context, model string, ids []int64, fields []string) ([]map[string]any, error)
	FieldsGet(ctx context.Context, model string, attributes []string) (map[string]map[string]any, error)
	ExternalIDs(ctx context.Context, model string, ids []int64) (map[int64]string, error)
}

// Checker tells which records someone changed in Odoo since Ferry wrote
// them: it compares what Ferry wrote (per record id) with the target's
// current values, the way verification compares. It caches schemas and
// is safe for concurrent use.
type Checker struct {
	T       Current
	mu      sync.Mutex
	schemas map[string]map[string]Field
	cur     *Money
}

// money is the checker's currency precisions, made on first use.
func (c *Checker) money() *Money {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil {
		c.cur = &Money{R: c.T}
	}
	return c.cur
}

// Changed returns, per record id, the fields whose current value differs
// from what Ferry wrote; records that match, and fields in exclude, are
// left out. A record Odoo no longer has is not in the result.
func (c *Checker) Changed(ctx context.Context, model string, written map[int64]record.Row, exclude map[string]bool) (map[int64][]FieldDiff, error) {
	if len(written) == 0 {
		return nil, nil
	}
	fields := map[string]bool{}
	for _, f := range contextFields(model) {
		fields[f] = true
	}
	ids := make([]int64, 0, len(written))
	for id, w := range written {
		ids = append(ids, id)
		for _, f := range wantedFields(w) {
			fields[readName(model, f, wantValue(w, f))] = true
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	schema, err := c.schema(ctx, model)
	if err != nil {
		return nil, err
	}
	recs, err := c.T.Read(ctx, model, ids, withCurrencies(sortedNames(fields), schema))
	if err != nil {
		return nil, err
	}
	if err := c.money().Load(ctx, schema, recs); err != nil {
		return nil, err
	}
	names, err := c.externalIDs(ctx, schema, recs)
	if err == nil {
		err = c.idRefNames(ctx, names, written, recs)
	}
	if err != nil {
		return nil, err
	}
	out := map[int64][]FieldDiff{}
	for _, rec := range recs {
		id, _ := toFloat(rec["id"])
		w, ok := written[int64(id)]
		if !ok {
			continue
		}
		if res := CompareRow(schema, w, rec, exclude, names, c.money()); res.Status == Differ {
			out[int64(id)] = res.Diffs
		}
	}
	return out, nil
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *Checker) schema(ctx context.Context, model string) (map[string]Field, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[model]; ok {
		return s, nil
	}
	defs, err := c.T.FieldsGet(ctx, model, fieldAttributes)
	if err != nil {
		return nil, err
	}
	if c.schemas == nil {
		c.schemas = map[string]map[string]Field{}
	}
	c.schemas[model] = FieldsOf(defs)
	return c.schemas[model], nil
}

// externalIDs resolves the ids of every relation the records hold.
func (c *Checker) externalIDs(ctx context.Context, schema map[string]Field, recs []map[string]any) (xmlids, error) {
	ids := map[string]map[int64]bool{}
	for _, rec := range recs {
		for name, v := range rec {
			f, ok := schema[name]
			if !ok || f.Relation == "" {
				continue
			}
			for _, id := range gotIDs(v) {
				if ids[f.Relation] == nil {
					ids[f.Relation] = map[int64]bool{}
				}
				ids[f.Relation][id] = true
			}
		}
	}
	out := xmlids{}
	for model, set := range ids {
		m, err := c.T.ExternalIDs(ctx, model, odoo.SortedIDs(set))
		if err != nil {
			return nil, err
		}
		out[model] = m
	}
	return out, nil
}

// xmlids is a Resolver over ExternalIDs answers.
type xmlids map[string]map[int64]string

func (x xmlids) XMLID(model string, id int64) string { return x[model][id] }
