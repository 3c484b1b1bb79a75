package orm

import (
	"fmt"
	"strings"
)

// method is one model method: its parameter names (after self) and
// whether it runs on records (ids).
type method struct {
	record bool
	params []string
	run    func(db *DB, c *bound) (any, error)
}

var methods map[string]method

func init() {
	methods = map[string]method{
		"create":                 {false, []string{"vals_list"}, (*DB).create},
		"write":                  {true, []string{"vals"}, (*DB).write},
		"unlink":                 {true, nil, (*DB).unlink},
		"read":                   {true, []string{"fields", "load"}, (*DB).read},
		"search":                 {false, []string{"domain", "offset", "limit", "order"}, (*DB).search},
		"search_read":            {false, []string{"domain", "fields", "offset", "limit", "order"}, (*DB).searchRead},
		"search_count":           {false, []string{"domain", "limit"}, (*DB).searchCount},
		"name_search":            {false, []string{"name", "domain", "operator", "limit"}, (*DB).nameSearch},
		"fields_get":             {false, []string{"allfields", "attributes"}, (*DB).fieldsGet},
		"load":                   {false, []string{"fields", "data"}, (*DB).load},
		"read_group":             {false, []string{"domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"}, (*DB).readGroup},
		"formatted_read_group":   {false, []string{"domain", "groupby", "aggregates", "having", "offset", "limit", "order"}, (*DB).formattedReadGroup},
		"get_external_id":        {true, nil, (*DB).getExternalID},
		"check_object_reference": {false, []string{"module", "xml_id", "raise_on_access_error"}, (*DB).checkObjectReference},
		"context_get":            {false, nil, (*DB).contextGet},
		"check_access_rights":    {false, []string{"operation", "raise_exception"}, (*DB).checkAccessRights},
		"has_access":             {true, []string{"operation"}, (*DB).hasAccess},
		"default_get":            {false, []string{"fields_list"}, (*DB).defaultGet},
		"action_post":            {true, nil, (*DB).actionPost},
		"button_draft":           {true, nil, (*DB).buttonDraft},
		"action_apply_inventory": {true, nil, (*DB).applyInventory},

		// payments and reconciliation (payment.go, reconcile.go)
		"action_draft":                  {true, nil, (*DB).draftPayments},
		"reconcile":                     {true, nil, (*DB).reconcileLines},
		"remove_move_reconcile":         {true, nil, (*DB).removeMoveReconcile},
		"js_assign_outstanding_line":    {true, []string{"line_id"}, (*DB).assignOutstandingLine},
		"js_remove_outstanding_partial": {true, []string{"partial_id"}, (*DB).removeOutstandingPartial},

		// translated fields (translate.go)
		"update_field_translations": {true, []string{"field_name", "translations", "source_lang"}, (*DB).updateFieldTranslations},
		"get_field_translations":    {true, []string{"field_name", "langs"}, (*DB).getFieldTranslations},
	}
}

// bound is a call with its arguments bound to parameter names.
type bound struct {
	Call
	m      *Model
	ids    []int64
	pos    []any
	params []string
}

// arg returns the argument named name (positional index i).
func (b *bound) arg(name string) (any, bool) {
	for i, p := range b.params {
		if p == name && i < len(b.pos) {
			return b.pos[i], true
		}
	}
	v, ok := b.Kwargs[name]
	return v, ok
}

func (b *bound) uid() int64 { return b.UID }

// Execute runs one model method atomically: if it fails, nothing it did
// remains. Failures are *Exception with Odoo's class and message.
func (db *DB) Execute(c Call) (any, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if strings.HasPrefix(c.Method, "_") {
		return nil, &Exception{Class: AccessError, Message: fmt.Sprintf("Private methods (such as '%s.%s') cannot be called remotely.", c.Model, c.Method)}
	}
	m := db.models[c.Model]
	if m == nil {
		return nil, &Exception{Class: UserError, Message: fmt.Sprintf("Object %s doesn't exist", c.Model)}
	}
	meth, ok := methods[c.Method]
	if !ok || !db.has(c.Model, c.Method) {
		return nil, &Exception{Class: AttributeError, Message: fmt.Sprintf("The method '%s.%s' does not exist", c.Model, c.Method)}
	}
	b, err := bind(c, m, meth)
	if err != nil {
		return nil, err
	}
	if err := db.checkContext(c.Context); err != nil {
		return nil, err
	}
	db.lang = langOf(c.Context)
	defer func() { db.lang = "" }()
	if err := db.checkAccess(b); err != nil {
		return nil, err
	}
	if err := db.checkCompanies(b); err != nil {
		return nil, err
	}
	switch db.fault(c.Method) {
	case "serialization":
		return nil, &Exception{Class: SerializationErr, Message: serializationMsg}
	case "serialization-load":
		return map[string]any{"ids": false, "nextrow": int64(0), "messages": []any{map[string]any{
			"rows": map[string]any{"from": int64(0), "to": int64(0)}, "record": int64(0), "type": "error", "message": serializationMsg}}}, nil
	}
	db.begin()
	res, err := meth.run(db, b)
	if err != nil {
		db.rollback()
		return nil, err
	}
	db.commit()
	return res, nil
}

// has reports whether model offers method (methods of one model only).
func (db *DB) has(model, name string) bool {
	switch name {
	case "action_post":
		return model == "account.move" || model == "account.payment"
	case "button_draft", "js_assign_outstanding_line", "js_remove_outstanding_partial":
		return model == "account.move"
	case "action_draft":
		return model == "account.payment"
	case "reconcile", "remove_move_reconcile":
		return model == "account.move.line"
	case "action_apply_inventory":
		return model == "stock.quant"
	case "check_object_reference":
		return model == "ir.model.data"
	case "context_get":
		return model == "res.users"
	case "formatted_read_group":
		return db.version >= 19
	}
	return true
}

func (db *DB) checkContext(ctx map[string]any) error {
	if lang, ok := ctx["lang"].(string); ok && lang != "" && lang != "en_US" {
		for _, r := range db.models["res.lang"].recs {
			if r["code"] == lang && active(r) {
				return nil
			}
		}
		return &Exception{Class: UserError, Message: "Invalid language code: " + lang}
	}
	return nil
}

func bind(c Call, m *Model, meth method) (*bound, error) {
	b := &bound{Call: c, m: m, params: meth.params}
	if b.Kwargs == nil {
		b.Kwargs = map[string]any{}
	}
	if err := checkKwargs(c, meth); err != nil {
		return nil, err
	}
	if c.Named {
		b.ids = c.IDs
		return b, nil
	}
	args := c.Args
	if meth.record {
		if len(args) == 0 {
			return nil, &Exception{Class: TypeError, Message: fmt.Sprintf("%s() missing 1 required positional argument: 'ids'", c.Method)}
		}
		ids, ok := intList(args[0])
		if !ok {
			if id, isInt := args[0].(int64); isInt {
				ids, ok = []int64{id}, true
			}
		}
		if !ok {
			return nil, &Exception{Class: TypeError, Message: fmt.Sprintf("%s: ids must be a list of integers", c.Method)}
		}
		b.ids, args = ids, args[1:]
	}
	if len(args) > len(meth.params) {
		return nil, &Exception{Class: TypeError, Message: fmt.Sprintf("%s() takes %d positional arguments but %d were given", c.Method, len(meth.params)+1, len(args)+1)}
	}
	b.pos = args
	return b, nil
}

func intList(v any) ([]int64, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]int64, 0, len(list))
	for _, x := range list {
		n, ok := x.(int64)
		if !ok {
			if f, isF := x.(float64); isF && f == float64(int64(f)) {
				n, ok = int64(f), true
			}
		}
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// missing raises Odoo's MissingError for ids absent from m.
func (db *DB) missing(b *bound) error {
	var gone []string
	for _, id := range b.ids {
		if b.m.recs[id] == nil {
			gone = append(gone, fmt.Sprint(id))
		}
	}
	if len(gone) == 0 {
		return nil
	}
	tuple := strings.Join(gone, ", ")
	if len(gone) == 1 {
		tuple += ","
	}
	return &Exception{Class: MissingError, Message: fmt.Sprintf("Record does not exist or has been deleted.\n(Record: %s(%s), User: %d)", b.m.Name, tuple, b.UID)}
}

// checkKwargs refuses keyword arguments the method does not take, with
// Python's TypeError (search_read passes extras on to _read_format).
func checkKwargs(c Call, meth method) error {
	for k := range c.Kwargs {
		known := k == "context" || (k == "load" && c.Method == "search_read")
		for _, p := range meth.params {
			known = known || p == k
		}
		if known {
			continue
		}
		if c.Method == "search_read" {
			return &Exception{Class: TypeError, Message: fmt.Sprintf("BaseModel._read_format() got an unexpected keyword argument '%s'", k)}
		}
		return &Exception{Class: TypeError, Message: fmt.Sprintf("%s() got an unexpected keyword argument '%s'", c.Method, k)}
	}
	return nil
}
