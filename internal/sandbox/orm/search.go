package orm

import (
	"fmt"
	"sort"
	"strings"
)

// find returns the ids matching a domain, ordered and sliced.
func (db *DB) find(m *Model, domain []any, ctx map[string]any, offset, limit int, order string) ([]int64, error) {
	c, err := db.compile(m, domain)
	if err != nil {
		return nil, err
	}
	activeTest := m.Fields["active"] != nil && ctx["active_test"] != false && !mentions(domain, "active")
	var ids []int64
	for _, id := range m.ids() {
		r := m.recs[id]
		if (!activeTest || active(r)) && c(id, r) {
			ids = append(ids, id)
		}
	}
	if err := db.sortIDs(m, ids, order); err != nil {
		return nil, err
	}
	if offset > len(ids) {
		offset = len(ids)
	}
	ids = ids[offset:]
	if limit > 0 && limit < len(ids) {
		ids = ids[:limit]
	}
	return ids, nil
}

func mentions(domain []any, field string) bool {
	for _, t := range domain {
		if l, ok := t.([]any); ok && len(l) > 0 && l[0] == field {
			return true
		}
	}
	return false
}

// sortIDs orders by "field [asc|desc], …" (default: id).
func (db *DB) sortIDs(m *Model, ids []int64, order string) error {
	if strings.TrimSpace(order) == "" {
		return nil
	}
	type key struct {
		f    *Field
		desc bool
	}
	var keys []key
	for _, part := range strings.Split(order, ",") {
		fs := strings.Fields(part)
		if len(fs) == 0 {
			continue
		}
		f := m.Fields[fs[0]]
		if f == nil {
			return &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field %s on model %s", quote(fs[0]), quote(m.Name))}
		}
		keys = append(keys, key{f, len(fs) > 1 && strings.EqualFold(fs[1], "desc")})
	}
	sort.SliceStable(ids, func(i, j int) bool {
		for _, k := range keys {
			a, b := db.domainValue(m, ids[i], k.f, m.recs[ids[i]]), db.domainValue(m, ids[j], k.f, m.recs[ids[j]])
			if equal(a, b) {
				continue
			}
			return compare(a, b, "<") != k.desc
		}
		return false
	})
	return nil
}

// domainArg is the call's domain, with what record rules add for its user.
func (db *DB) domainArg(b *bound) ([]any, error) {
	v, _ := b.arg("domain")
	d, ok := v.([]any)
	if !ok && v != nil {
		return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid domain: %v", v)}
	}
	if rule := db.ruleDomain(b.m, b.UID); rule != nil {
		return append(append([]any{}, d...), rule...), nil
	}
	if d == nil {
		return []any{}, nil
	}
	return d, nil
}

func intArg(b *bound, name string) int {
	v, _ := b.arg(name)
	return int(toInt(v))
}

func strArg(b *bound, name string) string {
	v, _ := b.arg(name)
	s, _ := v.(string)
	return s
}

func (db *DB) search(b *bound) (any, error) {
	d, err := db.domainArg(b)
	if err != nil {
		return nil, err
	}
	ids, err := db.find(b.m, d, b.Context, intArg(b, "offset"), intArg(b, "limit"), strArg(b, "order"))
	if err != nil {
		return nil, err
	}
	return idsAny(ids), nil
}

func (db *DB) searchRead(b *bound) (any, error) {
	d, err := db.domainArg(b)
	if err != nil {
		return nil, err
	}
	fields, err := db.fieldList(b)
	if err != nil {
		return nil, err
	}
	ids, err := db.find(b.m, d, b.Context, intArg(b, "offset"), intArg(b, "limit"), strArg(b, "order"))
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, db.readRecord(b.m, id, fields))
	}
	return out, nil
}

func (db *DB) searchCount(b *bound) (any, error) {
	d, err := db.domainArg(b)
	if err != nil {
		return nil, err
	}
	ids, err := db.find(b.m, d, b.Context, 0, intArg(b, "limit"), "")
	if err != nil {
		return nil, err
	}
	return int64(len(ids)), nil
}

// nameField is the field name_search matches (res.country also by code).
func nameField(m *Model) string {
	if m.Fields["name"] != nil {
		return "name"
	}
	return "display_name"
}

func (db *DB) nameSearch(b *bound) (any, error) {
	name := strArg(b, "name")
	op := strArg(b, "operator")
	if op == "" {
		op = "ilike"
	}
	d, err := db.domainArg(b)
	if err != nil {
		return nil, err
	}
	limit := intArg(b, "limit")
	if _, given := b.arg("limit"); !given {
		limit = 100
	}
	ids, err := db.nameMatches(b.m, name, op, d, b.Context, limit)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, []any{id, db.displayName(b.m, id)})
	}
	return out, nil
}

// nameMatches finds records by name (and by code for countries, by email
// for partners when the operator is "=").
func (db *DB) nameMatches(m *Model, name, op string, domain []any, ctx map[string]any, limit int) ([]int64, error) {
	terms := []any{[]any{nameField(m), op, name}}
	switch m.Name {
	case "res.country", "res.currency":
		if m.Fields["code"] != nil {
			terms = []any{"|", []any{"code", op, name}, terms[0]}
		}
	case "res.partner":
		if op == "=" || op == "=ilike" {
			terms = []any{"|", []any{"email", op, name}, terms[0]}
		}
	case "product.product", "product.template":
		terms = []any{"|", []any{"default_code", op, name}, terms[0]}
	}
	return db.find(m, append(append([]any{}, domain...), terms...), ctx, 0, limit, "")
}

func (db *DB) fieldsGet(b *bound) (any, error) {
	v, _ := b.arg("attributes")
	attrs, _ := v.([]any)
	all, _ := b.arg("allfields")
	only, _ := all.([]any)
	out := map[string]any{}
	for n, f := range b.m.Fields {
		if len(only) > 0 && !containsAny(only, n) {
			continue
		}
		a := map[string]any{}
		for k, x := range f.Attrs {
			if len(attrs) == 0 || containsAny(attrs, k) {
				a[k] = x
			}
		}
		if len(attrs) == 0 || containsAny(attrs, "name") {
			a["name"] = n
		}
		out[n] = a
	}
	return out, nil
}

func containsAny(xs []any, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (db *DB) getExternalID(b *bound) (any, error) {
	out := map[int64]any{}
	for _, id := range b.ids {
		if x := db.xmlidOf(b.m.Name, id); x != "" {
			out[id] = x
		} else {
			out[id] = ""
		}
	}
	return out, nil
}

func (db *DB) checkObjectReference(b *bound) (any, error) {
	module, name := strArg(b, "module"), strArg(b, "xml_id")
	r, ok := db.xmlids[module+"."+name]
	if !ok {
		return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("External ID not found in the system: %s.%s", module, name)}
	}
	return []any{r.model, r.id}, nil
}

func (db *DB) contextGet(b *bound) (any, error) {
	tz := any(false)
	if s := db.userTZ(b.UID); s != "" {
		tz = s
	}
	return map[string]any{"lang": "en_US", "tz": tz, "uid": b.UID}, nil
}

func (db *DB) defaultGet(b *bound) (any, error) {
	return map[string]any{}, nil
}
