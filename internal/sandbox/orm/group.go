package orm

import (
	"fmt"
	"sort"
	"strings"
)

// aggregate is one "field:func" of a read_group.
type aggregate struct {
	name, field, fn string
}

func parseAggregates(m *Model, specs []any, old bool) ([]aggregate, error) {
	var out []aggregate
	for _, s := range specs {
		spec, _ := s.(string)
		field, fn, hasFn := strings.Cut(spec, ":")
		if field == "__count" {
			continue
		}
		f := m.Fields[field]
		if f == nil {
			return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field %s on model %s", quote(field), quote(m.Name))}
		}
		if !hasFn {
			if f.Type != "integer" && f.Type != "float" && f.Type != "monetary" {
				continue
			}
			fn = "sum"
		}
		name := field
		if !old {
			name = spec
		}
		out = append(out, aggregate{name: name, field: field, fn: fn})
	}
	return out, nil
}

type group struct {
	key  []any
	ids  []int64
	vals []any
}

// groups partitions ids by the values of groupby fields.
func (db *DB) groups(m *Model, ids []int64, by []string) ([]*group, error) {
	idx := map[string]*group{}
	var out []*group
	for _, id := range ids {
		var vals []any
		for _, g := range by {
			f := m.Fields[strings.Split(g, ":")[0]]
			if f == nil {
				return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field %s on model %s", quote(g), quote(m.Name))}
			}
			vals = append(vals, db.readValue(m, id, f, db.computed(m, id, m.recs[id])))
		}
		k := fmt.Sprint(vals)
		g := idx[k]
		if g == nil {
			g = &group{vals: vals}
			idx[k] = g
			out = append(out, g)
		}
		g.ids = append(g.ids, id)
	}
	sort.SliceStable(out, func(i, j int) bool { return fmt.Sprint(out[i].vals) < fmt.Sprint(out[j].vals) })
	return out, nil
}

func (db *DB) aggregateValue(m *Model, ids []int64, a aggregate) any {
	f := m.Fields[a.field]
	var sum float64
	n := 0
	for _, id := range ids {
		v := db.readValue(m, id, f, db.computed(m, id, m.recs[id]))
		if x, ok := num(v); ok {
			sum += x
			n++
		}
	}
	switch a.fn {
	case "count":
		return int64(len(ids))
	case "avg":
		if n == 0 {
			return 0.0
		}
		return sum / float64(n)
	}
	if f.Type == "integer" {
		return int64(sum)
	}
	if f.Type == "monetary" {
		// PostgreSQL sums the stored numerics exactly; amounts carry at
		// most a currency's 6 decimals, so rounding the float sum there
		// gives the exact total back.
		return round(sum, 6)
	}
	return round(sum, f.digits())
}

func stringsOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// grouped reads a read_group call's domain, aggregates (from the argument
// aggArg) and groupby, and partitions the matching records.
func (db *DB) grouped(b *bound, aggArg string, old bool) ([]any, []aggregate, []string, []*group, error) {
	d, err := db.domainArg(b)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	av, _ := b.arg(aggArg)
	al, _ := av.([]any)
	aggs, err := parseAggregates(b.m, al, old)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	gv, _ := b.arg("groupby")
	by := stringsOf(gv)
	if s, ok := gv.(string); ok {
		by = []string{s}
	}
	ids, err := db.find(b.m, d, b.Context, 0, 0, "")
	if err != nil {
		return nil, nil, nil, nil, err
	}
	groups, err := db.groups(b.m, ids, by)
	return d, aggs, by, groups, err
}

// readGroup answers read_group with lazy=False (Odoo 16–19).
func (db *DB) readGroup(b *bound) (any, error) {
	d, aggs, by, groups, err := db.grouped(b, "fields", true)
	if err != nil {
		return nil, err
	}
	fv, _ := b.arg("fields")
	fl, _ := fv.([]any)
	out := []any{}
	for _, g := range groups {
		row := map[string]any{"__count": int64(len(g.ids))}
		dom := append([]any{}, d...)
		for i, name := range by {
			row[name] = g.vals[i]
			dom = append([]any{"&"}, append(dom, []any{name, "=", groupValue(g.vals[i])})...)
		}
		if len(d) == 0 {
			dom = dom[len(by):]
		}
		row["__domain"] = dom
		for _, a := range aggs {
			row[a.name] = db.aggregateValue(b.m, g.ids, a)
		}
		for _, spec := range fl {
			if s, _ := spec.(string); strings.HasSuffix(s, ":count") {
				row[strings.TrimSuffix(s, ":count")] = int64(len(g.ids))
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func groupValue(v any) any {
	if p, ok := v.([]any); ok && len(p) == 2 {
		return p[0]
	}
	return v
}

// formattedReadGroup answers Odoo 19's formatted_read_group.
func (db *DB) formattedReadGroup(b *bound) (any, error) {
	_, aggs, by, groups, err := db.grouped(b, "aggregates", false)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, g := range groups {
		row := map[string]any{"__count": int64(len(g.ids))}
		var extra []any
		for i, name := range by {
			row[name] = g.vals[i]
			extra = append(extra, []any{name, "=", groupValue(g.vals[i])})
		}
		row["__extra_domain"] = extra
		for _, a := range aggs {
			row[a.name] = db.aggregateValue(b.m, g.ids, a)
		}
		out = append(out, row)
	}
	return out, nil
}
