package orm

import (
	"fmt"
	"sort"
	"time"
)

func (db *DB) create(b *bound) (any, error) {
	v, _ := b.arg("vals_list")
	single := false
	var list []any
	switch x := v.(type) {
	case map[string]any:
		list, single = []any{x}, true
	case []any:
		list = x
	default:
		return nil, &Exception{Class: TypeError, Message: "create() vals_list must be a dict or a list of dicts"}
	}
	ids := make([]int64, 0, len(list))
	for _, e := range list {
		vals, ok := e.(map[string]any)
		if !ok {
			return nil, &Exception{Class: TypeError, Message: "create() vals_list must be a dict or a list of dicts"}
		}
		id, err := db.createOne(b.m, vals, b.Context, false)
		if err != nil {
			return nil, err
		}
		db.linkCreator(b.m, id, b.UID)
		ids = append(ids, id)
	}
	if single && !b.Named {
		return ids[0], nil
	}
	return idsAny(ids), nil
}

// createOne creates a record: defaults, values, one2many commands, then
// constraints. fromLoad marks load's semantics (” is empty).
func (db *DB) createOne(m *Model, vals map[string]any, ctx map[string]any, fromLoad bool) (int64, error) {
	vals, err := db.attachmentVals(m, 0, vals)
	if err != nil {
		return 0, err
	}
	id := m.nextID()
	db.touch(m, id)
	rec := map[string]any{"create_date": now(), "write_date": now()}
	m.put(id, rec)
	vals = db.setStored(m, id, vals)
	if err := db.assign(m, id, vals, fromLoad); err != nil {
		return 0, err
	}
	db.defaults(m, id, vals)
	db.syncPartner(m, id, vals)
	if m.Name == "stock.quant" {
		if err := db.quantCheck(rec); err != nil {
			return 0, err
		}
	}
	if err := db.constraints(m, id); err != nil {
		return 0, err
	}
	db.invite(m, id, ctx)
	return id, nil
}

func now() string { return time.Now().UTC().Format("2006-01-02 15:04:05") }

func (db *DB) write(b *bound) (any, error) {
	vals, ok := b.arg("vals")
	m, isMap := vals.(map[string]any)
	if !ok || !isMap {
		return nil, &Exception{Class: TypeError, Message: "write() missing 1 required positional argument: 'vals'"}
	}
	if err := db.missing(b); err != nil {
		return nil, err
	}
	for _, id := range b.ids {
		if err := db.writeOne(b.m, id, m, false); err != nil {
			return nil, err
		}
	}
	return true, nil
}

func (db *DB) writeOne(m *Model, id int64, vals map[string]any, fromLoad bool) error {
	if err := db.beforeWrite(m, id, vals); err != nil {
		return err
	}
	vals, err := db.attachmentVals(m, id, vals)
	if err != nil {
		return err
	}
	db.touch(m, id)
	m.recs[id]["write_date"] = now()
	vals = db.setStored(m, id, vals)
	if err := db.assign(m, id, vals, fromLoad); err != nil {
		return err
	}
	db.syncPartner(m, id, vals)
	return db.constraints(m, id)
}

func (db *DB) unlink(b *bound) (any, error) {
	if err := db.missing(b); err != nil {
		return nil, err
	}
	gone := map[int64]bool{}
	for _, id := range b.ids {
		if err := db.beforeUnlink(b.m, id); err != nil {
			return nil, err
		}
		db.cascade(b.m, id)
		db.touch(b.m, id)
		b.m.remove(id)
		gone[id] = true
	}
	db.dropXMLIDs(b.m.Name, gone)
	return true, nil
}

// cascade deletes one2many children whose inverse is required (lines of
// a move or an order), as ondelete=cascade does.
func (db *DB) cascade(m *Model, id int64) {
	for _, f := range m.Fields {
		if f.Type != "one2many" || f.Inverse == "" {
			continue
		}
		cm := db.models[f.Relation]
		if cm == nil || cm.Fields[f.Inverse] == nil || !cm.Fields[f.Inverse].Required {
			continue
		}
		gone := map[int64]bool{}
		for _, cid := range db.o2mIDs(m, id, f) {
			db.touch(cm, cid)
			cm.remove(cid)
			gone[cid] = true
		}
		db.dropXMLIDs(cm.Name, gone)
	}
}

func (db *DB) read(b *bound) (any, error) {
	fields, err := db.fieldList(b)
	if err != nil {
		return nil, err
	}
	if err := db.checkRules(b); err != nil {
		return nil, err
	}
	out := []any{}
	for _, id := range b.ids {
		if b.m.recs[id] != nil {
			out = append(out, db.readRecord(b.m, id, fields))
		}
	}
	return out, nil
}

func (db *DB) fieldList(b *bound) ([]string, error) {
	v, _ := b.arg("fields")
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, &Exception{Class: TypeError, Message: "fields must be a list of field names"}
		}
		if b.m.Fields[s] == nil {
			if db.version >= 19 {
				return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field %s on %s", quote(s), quote(b.m.Name))}
			}
			return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field %s on model %s", quote(s), quote(b.m.Name))}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		for n, f := range b.m.Fields {
			if f.Type != "binary" {
				out = append(out, n)
			}
		}
		sort.Strings(out)
	}
	return out, nil
}

func quote(s string) string { return "'" + s + "'" }

func (db *DB) readRecord(m *Model, id int64, fields []string) map[string]any {
	rec := db.computed(m, id, m.recs[id])
	out := map[string]any{"id": id}
	for _, n := range fields {
		switch n {
		case "id":
			continue
		case "display_name":
			out[n] = db.displayName(m, id)
			continue
		}
		out[n] = db.readValue(m, id, m.Fields[n], rec)
	}
	return out
}
