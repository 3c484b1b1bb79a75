package odoosrc

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/record"
)

// readContext reads archived records and archived links too: a migration
// that left them out would lose rows without a word.
var readContext = map[string]any{"active_test": false}

// Scan reads the records after pos in id order, one keyset page at a time:
// after.Cursor is the database id of the last record delivered; a position
// without a cursor skips after.Row records (by offset).
func (s *Source) Scan(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	if s.closed.Load() {
		return s.errorf("%w", ErrClosed)
	}
	var last int64
	n, offset := after.Row, int64(0)
	if after.Cursor != "" {
		id, err := strconv.ParseInt(after.Cursor, 10, 64)
		if err != nil || id < 0 {
			return s.errorf("cannot resume from %q: it is not a record id", after.Cursor)
		}
		last = id
	} else {
		offset = after.Row
	}
	names := s.schema.Names()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ids, err := s.search(ctx, last, offset, s.opts.Page)
		if err != nil || len(ids) == 0 {
			return err
		}
		offset = 0
		rows, err := s.page(ctx, ids)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := ctx.Err(); err != nil {
				return err
			}
			n++
			rec := record.New(record.Position{Source: s.opts.Source, Row: n, Cursor: strconv.FormatInt(r.id, 10)}, names, r.values)
			rec.Problem = r.problem
			if err := fn(rec); err != nil {
				return err
			}
		}
		if len(ids) < s.opts.Page {
			return nil
		}
		last = ids[len(ids)-1]
	}
}

// search returns the ids of the next page: the records matching the
// domain whose id is above last, in id order.
func (s *Source) search(ctx context.Context, last, offset int64, limit int) ([]int64, error) {
	d := append([]any{[]any{"id", ">", last}}, s.domain...)
	kw := map[string]any{"limit": limit, "order": "id", "context": readContext}
	if offset > 0 {
		kw["offset"] = offset
	}
	v, err := s.c.Execute(ctx, s.opts.Model, "search", []any{d}, kw)
	if err != nil {
		return nil, s.callError("search", err)
	}
	ids, ok := idsOf(v)
	if !ok {
		return nil, s.errorf("search: unexpected answer %.120v", v)
	}
	return ids, nil
}

// row is one record read: its id, values in column order and problems.
type row struct {
	id      int64
	values  []any
	problem string
}

// page reads the fields of ids and the external IDs of the records and of
// every record they refer to, and converts the values. Records deleted
// since the search are not in the answer and are left out.
func (s *Source) page(ctx context.Context, ids []int64) ([]row, error) {
	names := make([]any, len(s.fields))
	for i, f := range s.fields {
		names[i] = f.name
	}
	v, err := s.c.Execute(ctx, s.opts.Model, "read", []any{idsAny(ids)},
		map[string]any{"fields": names, "load": "", "context": readContext})
	if err != nil {
		return nil, s.callError("read", err)
	}
	list, _ := v.([]any)
	byID := make(map[int64]map[string]any, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		id, okID := asInt(m["id"])
		if !ok || !okID {
			return nil, s.errorf("read: unexpected answer %.120v", e)
		}
		byID[id] = m
	}
	xmlids, err := s.externalIDs(ctx, ids, byID)
	if err != nil {
		return nil, err
	}
	out := make([]row, 0, len(byID))
	for _, id := range ids {
		if m, ok := byID[id]; ok {
			out = append(out, s.row(id, m, xmlids))
		}
	}
	return out, nil
}

// externalIDs looks up, with one get_external_id call per model, the
// external IDs of the page's records and of the records their relational
// fields point to.
func (s *Source) externalIDs(ctx context.Context, ids []int64, recs map[int64]map[string]any) (xmlids, error) {
	want := map[string]map[int64]bool{s.opts.Model: {}}
	for _, id := range ids {
		want[s.opts.Model][id] = true
	}
	for _, f := range s.fields {
		if f.relation == "" || (f.typ != "many2one" && f.col != TypeList) {
			continue
		}
		for _, m := range recs {
			for _, id := range f.refs(m[f.name]) {
				if want[f.relation] == nil {
					want[f.relation] = map[int64]bool{}
				}
				want[f.relation][id] = true
			}
		}
	}
	models := make([]string, 0, len(want))
	for m := range want {
		models = append(models, m)
	}
	sort.Strings(models)
	out := xmlids{ns: s.opts.Namespace, ids: map[string]map[int64]string{}}
	for _, model := range models {
		list := make([]int64, 0, len(want[model]))
		for id := range want[model] {
			list = append(list, id)
		}
		if len(list) == 0 {
			continue
		}
		sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
		got, err := s.c.ExternalIDs(ctx, model, list)
		if err != nil {
			return out, s.callError("external IDs of "+model+" (get_external_id)", err)
		}
		out.ids[model] = got
	}
	return out, nil
}

// xmlids are the external IDs of one page, by model and id.
type xmlids struct {
	ns  string
	ids map[string]map[int64]string
}

// of is the external ID of record id of model, or the name the source
// gives a record that has none: <namespace>.<model with dots as _>_<id>.
func (x xmlids) of(model string, id int64) string {
	if s := x.ids[model][id]; s != "" {
		return s
	}
	return x.ns + "." + strings.ReplaceAll(model, ".", "_") + "_" + strconv.FormatInt(id, 10)
}

// row converts one record read; a value that does not fit its field's
// type is kept as read and named in the problem.
func (s *Source) row(id int64, m map[string]any, x xmlids) row {
	r := row{id: id, values: make([]any, 0, len(s.fields)+2)}
	r.values = append(r.values, id, x.of(s.opts.Model, id))
	var problems []string
	for _, f := range s.fields {
		v, problem := f.value(m[f.name], x)
		if problem != "" {
			problems = append(problems, fmt.Sprintf("field %s: %s", f.name, problem))
		}
		r.values = append(r.values, v)
	}
	r.problem = strings.Join(problems, "; ")
	return r
}

func idsAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func idsOf(v any) ([]int64, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]int64, 0, len(list))
	for _, e := range list {
		id, ok := asInt(e)
		if !ok {
			return nil, false
		}
		out = append(out, id)
	}
	return out, true
}
