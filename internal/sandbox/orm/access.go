package orm

import (
	"fmt"
	"strings"
)

// Access rights, as Odoo checks them for a restricted user (an internal
// user without administration rights, such as one in base.group_user,
// account.group_account_invoice and stock.group_stock_user): the models a
// security audit reads are reserved to a group (ir.model.access), and a
// user sees only their own API keys (a record rule). Unrestricted users,
// the admin among them, pass every check; a restricted user passes a
// check whose group someone has given them. Messages and their variations
// were recorded from Odoo 18 and 19.

// modelGroups names the group whose members may use a model at all.
var modelGroups = map[string]string{
	"ir.cron":             "base.group_system",
	"ir.mail_server":      "base.group_system",
	"ir.config_parameter": "base.group_system",
	"ir.model.data":       "base.group_erp_manager",
}

// apiKeys is the model of API keys: readable by its owner only, written
// by no one through the ORM's methods.
const apiKeys = "res.users.apikeys"

// operation is the access a method needs ("" for none: fields_get,
// get_external_id, default_get and check_object_reference read no
// records, or read them as the superuser).
func operation(method string) string {
	switch method {
	case "search", "search_read", "search_count", "read", "name_search", "read_group", "formatted_read_group", "get_field_translations":
		return "read"
	case "create", "load":
		return "create"
	case "write", "update_field_translations":
		return "write"
	case "unlink":
		return "unlink"
	}
	return ""
}

// restricted reports whether uid is held to access rights.
func (db *DB) restricted(uid int64) bool {
	u := db.users[uid]
	return u != nil && u.restricted
}

// allowed reports whether uid holds the rights of the group xmlid.
func (db *DB) allowed(uid int64, xmlid string) bool {
	return !db.restricted(uid) || db.inGroup(uid, xmlid)
}

// checkAccess refuses a call its user has no right to make, with Odoo's
// AccessError.
func (db *DB) checkAccess(b *bound) error {
	op := operation(b.Method)
	if op == "" {
		return nil
	}
	verb := db.verb(b.m.Name, b.Method, op)
	if b.m.Name == apiKeys && op != "read" {
		return &Exception{Class: AccessError, Message: fmt.Sprintf(
			"You are not allowed to %s '%s' (%s) records.\n\nNo group currently allows this operation.\n\nContact your administrator to request access if necessary.",
			verb, b.m.description(), b.m.Name)}
	}
	group, ok := modelGroups[b.m.Name]
	if !ok || db.allowed(b.UID, group) {
		return nil
	}
	msg := fmt.Sprintf("You are not allowed to %s '%s' (%s) records.\n\nThis operation is allowed for the following groups:\n\t- %s\n\nContact your administrator to request access if necessary.",
		verb, b.m.description(), b.m.Name, db.groupLabel(group))
	if db.version >= 19 && b.m.Name == "ir.cron" && b.Method == "write" { // 19 writes a cron through its server action
		msg += "\n\nImplicitly accessed through 'Scheduled Actions' (ir.cron)."
	}
	return &Exception{Class: AccessError, Message: msg}
}

// verb is how the message names the refused operation. Some methods read
// before they write, so their refusal is about access: ir.model.data's
// unlink, and on 19 the write of crons and parameters.
func (db *DB) verb(model, method, op string) string {
	switch {
	case op == "read", model == "ir.model.data" && method == "unlink",
		db.version >= 19 && method == "write" && (model == "ir.cron" || model == "ir.config_parameter"):
		return "access"
	case op == "create":
		return "create"
	case op == "write":
		return "modify"
	}
	return "delete"
}

// groupLabel names a group as access errors do: "Administration/Settings"
// on 18 (category/name), the full name ("Role / Administrator") on 19.
func (db *DB) groupLabel(xmlid string) string {
	r, ok := db.xmlids[xmlid]
	groups := db.models["res.groups"]
	if !ok || groups == nil || groups.recs[r.id] == nil {
		return xmlid
	}
	rec := groups.recs[r.id]
	full := text(rec["full_name"])
	if full == "" {
		return text(rec["name"])
	}
	if db.version < 19 {
		return strings.Replace(full, " / ", "/", 1)
	}
	return full
}

// ruleDomain is what record rules add to a search by uid.
func (db *DB) ruleDomain(m *Model, uid int64) []any {
	if m.Name == apiKeys && !db.allowed(uid, "base.group_system") {
		return []any{[]any{"user_id", "=", uid}}
	}
	return nil
}

// checkRules refuses to read records a record rule hides from the user.
func (db *DB) checkRules(b *bound) error {
	rule := db.ruleDomain(b.m, b.UID)
	if rule == nil {
		return nil
	}
	c, err := db.compile(b.m, rule)
	if err != nil {
		return err
	}
	for _, id := range b.ids {
		if r := b.m.recs[id]; r != nil && !c(id, r) {
			return &Exception{Class: AccessError, Message: fmt.Sprintf(
				"Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, %s (id=%d) doesn't have 'read' access to:\n- %s (%s)\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies.",
				db.displayName(db.models["res.users"], b.UID), b.UID, b.m.description(), b.m.Name)}
		}
	}
	return nil
}

// modelAccess is check_access_rights and has_access: whether uid may
// perform operation (read, write, create, unlink) on the model.
func (db *DB) modelAccess(b *bound, op string) error {
	return db.checkAccess(&bound{Call: Call{UID: b.UID, Method: op}, m: b.m}) // the method named like the operation needs it
}

// checkAccessRights answers as Odoo 18 and 19 do: with raise_exception
// false, whether the user may; else nothing when the user may (it is
// check_access on an empty recordset, which returns None — an XML-RPC
// fault, as None cannot be marshalled), the AccessError when not.
func (db *DB) checkAccessRights(b *bound) (any, error) {
	err := db.modelAccess(b, strArg(b, "operation"))
	if v, ok := b.arg("raise_exception"); ok && !truthy(v) {
		return err == nil, nil
	}
	if err != nil {
		return nil, err
	}
	return None{}, nil
}

func (db *DB) hasAccess(b *bound) (any, error) {
	return db.modelAccess(b, strArg(b, "operation")) == nil, nil
}
