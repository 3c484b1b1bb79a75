package orm

import (
	"fmt"
	"sort"
	"time"
)

// assign stores vals on record id: values checked and converted by field
// type, relations checked, one2many and many2many commands applied.
func (db *DB) assign(m *Model, id int64, vals map[string]any, fromLoad bool) error {
	names := make([]string, 0, len(vals))
	for n := range vals {
		names = append(names, n)
	}
	sort.Strings(names)
	var o2m []string
	for _, n := range names {
		f := m.Fields[n]
		if f == nil {
			if db.version >= 19 {
				return &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field '%s' in '%s'", n, m.Name)}
			}
			return &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field '%s' on model '%s'", n, m.Name)}
		}
		if f.Type == "one2many" {
			o2m = append(o2m, n)
			continue
		}
		v, err := db.convert(m, f, vals[n], fromLoad)
		if err != nil {
			return err
		}
		db.setValue(m, id, f, v)
	}
	for _, n := range o2m {
		if err := db.o2mCommands(m, id, m.Fields[n], vals[n], fromLoad); err != nil {
			return err
		}
	}
	return nil
}

// convert checks one value and returns its stored form.
func (db *DB) convert(m *Model, f *Field, v any, fromLoad bool) (any, error) {
	if v == nil || v == false && f.Type != "boolean" {
		return nil, nil
	}
	switch f.Type {
	case "char", "text", "date", "datetime":
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		if fromLoad && s == "" {
			return nil, nil
		}
		return s, nil
	case "html":
		s := sanitize(fmt.Sprint(v))
		if fromLoad && s == "" {
			return nil, nil
		}
		return s, nil
	case "selection":
		return db.selection(m, f, v)
	case "integer":
		return toInt(v), nil
	case "float", "monetary":
		switch n := v.(type) {
		case float64:
			return n, nil
		case int64:
			return float64(n), nil
		}
		return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("could not convert string to float: '%v'", v)}
	case "boolean":
		return truthy(v), nil
	case "many2one":
		return db.many2one(m, f, v)
	case "many2many":
		return db.m2mCommands(f, v)
	}
	return v, nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	}
	return v != nil
}

func (db *DB) selection(m *Model, f *Field, v any) (any, error) {
	s := fmt.Sprint(v)
	for _, k := range selectionKeys(f) {
		if k == s {
			return s, nil
		}
	}
	return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Wrong value for %s.%s: '%s'", m.Name, f.Name, s)}
}

func selectionKeys(f *Field) []string {
	sel, _ := f.Attrs["selection"].([]any)
	out := make([]string, 0, len(sel))
	for _, p := range sel {
		if kv, ok := p.([]any); ok && len(kv) > 0 {
			out = append(out, fmt.Sprint(kv[0]))
		}
	}
	return out
}

func selectionLabels(f *Field) []any {
	sel, _ := f.Attrs["selection"].([]any)
	out := make([]any, 0, len(sel))
	for _, p := range sel {
		if kv, ok := p.([]any); ok && len(kv) > 1 {
			out = append(out, kv[1])
		}
	}
	return out
}

// many2one checks that the target exists, as the foreign key does.
func (db *DB) many2one(m *Model, f *Field, v any) (any, error) {
	id := toInt(v)
	if _, isList := v.([]any); isList {
		return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Expected singleton: %s%v", f.Relation, v)}
	}
	if id == 0 {
		return nil, nil
	}
	if rm := db.models[f.Relation]; rm != nil && rm.recs[id] == nil {
		return nil, db.fkeyError(m, f)
	}
	return id, nil
}

func (db *DB) fkeyError(m *Model, f *Field) error {
	if db.version >= 19 {
		return &Exception{Class: ValidationError, Message: fmt.Sprintf(
			"The operation cannot be completed: Another model is using the record you are trying to delete.\n\nThe troublemaker is: '%s' (%s)\nThanks to the following constraint: '%s' (%s)\nHow about archiving the record instead?",
			m.description(), m.Name, f.String, f.Name)}
	}
	table := ""
	for _, c := range m.Name {
		if c == '.' {
			c = '_'
		}
		table += string(c)
	}
	return &Exception{Class: ValidationError, Message: fmt.Sprintf(
		"The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\nModel: %s (%s)\nConstraint: %s_%s_fkey\n",
		m.description(), m.Name, table, f.Name)}
}

// m2mCommands applies many2many commands to an empty set (create) — the
// caller merges with the current value for write.
func (db *DB) m2mCommands(f *Field, v any) (any, error) {
	if ids, ok := v.([]int64); ok { // from load, already resolved
		return ids, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Wrong value for %s: %v", f.Name, v)}
	}
	set := []int64{}
	for _, c := range list {
		cmd, isCmd := c.([]any)
		if !isCmd {
			set = append(set, toInt(c))
			continue
		}
		switch toInt(cmd[0]) {
		case 6:
			ids, _ := intList(cmd[2])
			set = append([]int64{}, ids...)
		case 4:
			set = append(set, toInt(cmd[1]))
		case 5:
			set = []int64{}
		case 3:
			set = without(set, toInt(cmd[1]))
		}
	}
	rm := db.models[f.Relation]
	for _, id := range set {
		if rm != nil && rm.recs[id] == nil {
			return nil, &Exception{Class: MissingError, Message: fmt.Sprintf("Record does not exist or has been deleted.\n(Record: %s(%d,), User: 2)", f.Relation, id)}
		}
	}
	return set, nil
}

func without(ids []int64, id int64) []int64 {
	out := ids[:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// o2mCommands applies one2many commands: 0 create, 1 update, 2 delete,
// 3 unlink, 4 link, 5 clear, 6 set.
func (db *DB) o2mCommands(m *Model, id int64, f *Field, v any, fromLoad bool) error {
	cm := db.models[f.Relation]
	list, ok := v.([]any)
	if cm == nil || f.Inverse == "" || !ok {
		return nil
	}
	for _, c := range list {
		cmd, ok := c.([]any)
		if !ok || len(cmd) == 0 {
			continue
		}
		if err := db.o2mCommand(cm, id, f, cmd, fromLoad); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) o2mCommand(cm *Model, id int64, f *Field, cmd []any, fromLoad bool) error {
	arg := func(i int) any {
		if i < len(cmd) {
			return cmd[i]
		}
		return nil
	}
	switch toInt(cmd[0]) {
	case 0:
		vals, _ := arg(2).(map[string]any)
		vals = withValue(vals, f.Inverse, id)
		_, err := db.createOne(cm, vals, nil, fromLoad)
		return err
	case 1:
		vals, _ := arg(2).(map[string]any)
		if cm.recs[toInt(arg(1))] == nil {
			return &Exception{Class: MissingError, Message: fmt.Sprintf("Record does not exist or has been deleted.\n(Record: %s(%d,), User: 2)", cm.Name, toInt(arg(1)))}
		}
		return db.writeOne(cm, toInt(arg(1)), withValue(vals, f.Inverse, id), fromLoad)
	case 2, 3:
		cid := toInt(arg(1))
		if cm.recs[cid] != nil {
			db.touch(cm, cid)
			cm.remove(cid)
			db.dropXMLIDs(cm.Name, map[int64]bool{cid: true})
		}
	case 4:
		if cid := toInt(arg(1)); cm.recs[cid] != nil {
			db.touch(cm, cid)
			cm.recs[cid][f.Inverse] = id
		}
	}
	return nil
}

func withValue(vals map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(vals)+1)
	for kk, vv := range vals {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// defaults fills what Odoo's defaults and onchanges would: active, the
// company, the currency, a journal, units, the first selection value of a
// required selection, zero for required numbers.
func (db *DB) defaults(m *Model, id int64, vals map[string]any) {
	rec := m.recs[id]
	set := func(k string, v any) {
		if f := m.Fields[k]; f != nil && rec[k] == nil {
			rec[k] = v
		}
	}
	set("active", true)
	switch m.Name {
	case "res.partner":
		set("type", "contact")
	case "product.product", "product.template":
		set("type", "consu")
		set("sale_ok", true)
		set("purchase_ok", true)
		set("categ_id", int64(1))
		set("uom_id", int64(1))
		set("uom_po_id", rec["uom_id"])
	case "account.move":
		db.moveDefaults(rec)
	case "account.payment":
		db.paymentDefaults(rec, vals)
	case "res.company":
		db.companyPartner(rec)
	case "res.users":
		db.userPartner(rec)
		db.defaultGroups(rec)
	case "account.move.line":
		if mv := db.models["account.move"].recs[toInt(rec["move_id"])]; mv != nil {
			set("currency_id", mv["currency_id"])
		}
	case "sale.order":
		set("name", "New")
		set("date_order", now())
		set("partner_invoice_id", rec["partner_id"])
		set("partner_shipping_id", rec["partner_id"])
		set("state", "draft")
	}
	for n, f := range m.Fields {
		if !f.Required || !f.Store || rec[n] != nil {
			continue
		}
		switch f.Type {
		case "selection":
			if keys := selectionKeys(f); len(keys) > 0 {
				rec[n] = keys[0]
			}
		case "float", "monetary":
			rec[n] = 0.0
		case "integer":
			rec[n] = int64(0)
		case "date":
			rec[n] = time.Now().UTC().Format("2006-01-02")
		case "datetime":
			rec[n] = now()
		case "many2one":
			switch f.Relation {
			case "res.company":
				rec[n] = int64(1)
			case "res.currency":
				rec[n] = db.companyCurrency()
			}
		}
	}
}

func (db *DB) companyCurrency() int64 {
	if c := db.models["res.company"].recs[1]; c != nil {
		return toInt(c["currency_id"])
	}
	return 1
}

// constraints checks required fields and model rules after a change.
func (db *DB) constraints(m *Model, id int64) error {
	rec := m.recs[id]
	if m.Name == "res.partner" && text(rec["name"]) == "" && (rec["type"] == nil || rec["type"] == "contact") {
		return &Exception{Class: ValidationError, Message: "The operation cannot be completed: Contacts require a name"}
	}
	names := make([]string, 0, len(m.Fields))
	for n := range m.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := m.Fields[n]
		if !f.Required || !f.Store || f.Type == "one2many" || f.Type == "many2many" || f.Type == "boolean" || skipRequired[m.Name+"."+n] {
			continue
		}
		if rec[n] == nil || rec[n] == "" && f.Type != "char" {
			if db.version >= 19 {
				return &Exception{Class: ValidationError, Message: fmt.Sprintf(
					"The operation cannot be completed: Missing required value for the field '%s' (%s).\nModel: '%s' (%s)\n- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n",
					f.String, n, m.description(), m.Name)}
			}
			return &Exception{Class: ValidationError, Message: fmt.Sprintf(
				"The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: %s (%s)\nField: %s (%s)\n",
				m.description(), m.Name, f.String, n)}
		}
	}
	return nil
}

// skipRequired are required fields Odoo fills itself (delegation to the
// template, the order's name sequence).
var skipRequired = map[string]bool{"product.product.product_tmpl_id": true}

// companyPartner gives a new company without a partner one of its own, as
// Odoo's res.company create does (a company partner named like it).
func (db *DB) companyPartner(rec map[string]any) {
	if rec["partner_id"] != nil {
		return
	}
	partners := db.models["res.partner"]
	id := partners.nextID()
	partners.put(id, map[string]any{"name": rec["name"], "is_company": true, "active": true, "type": "contact",
		"create_date": now(), "write_date": now()})
	rec["partner_id"] = id
}
