package orm

import "strings"

// Odoo keeps a contact's address and commercial fields in step with its
// parent company (res.partner _fields_sync; checked on Odoo 18): when a
// contact gets a parent, it takes the parent's address if the parent has
// one, and always the commercial fields (vat, company registry, industry).

var addressFields = []string{"street", "street2", "zip", "city", "state_id", "country_id"}

var commercialFields = []string{"vat", "company_registry", "industry_id"}

func (db *DB) syncPartner(m *Model, id int64, vals map[string]any) {
	if m.Name != "res.partner" {
		return
	}
	if _, ok := vals["parent_id"]; !ok {
		return
	}
	rec := m.recs[id]
	parent := m.recs[toInt(rec["parent_id"])]
	if parent == nil || (rec["type"] != nil && rec["type"] != "contact") {
		return
	}
	if hasAny(parent, addressFields) {
		copyFields(m, rec, parent, addressFields)
	}
	copyFields(m, rec, parent, commercialFields)
}

func hasAny(rec map[string]any, fields []string) bool {
	for _, f := range fields {
		if rec[f] != nil && rec[f] != "" {
			return true
		}
	}
	return false
}

func copyFields(m *Model, dst, src map[string]any, fields []string) {
	for _, f := range fields {
		if m.Fields[f] != nil {
			dst[f] = src[f]
		}
	}
}

// invite is what Odoo does when it creates a user: it sends the signup
// invitation, unless the context says no_reset_password. The sandbox
// counts the invitations it would have sent (Invitations).
func (db *DB) invite(m *Model, id int64, ctx map[string]any) {
	if m.Name != "res.users" || ctx["no_reset_password"] == true {
		return
	}
	db.invitations = append(db.invitations, text(m.recs[id]["login"]))
}

// Invitations lists the logins of the users the sandbox invited (the
// emails Odoo would have sent).
func (db *DB) Invitations() []string {
	db.mu.Lock()
	defer db.mu.Unlock()
	return append([]string(nil), db.invitations...)
}

// userPartner gives a new user the partner Odoo creates for it (res.users
// inherits res.partner): named after the user, with the login as email
// when it is one.
func (db *DB) userPartner(user map[string]any) {
	if user["partner_id"] != nil {
		return
	}
	partners := db.models["res.partner"]
	pid := partners.nextID()
	db.touch(partners, pid)
	name := text(user["name"])
	if name == "" {
		name = text(user["login"])
	}
	vals := map[string]any{"name": name, "active": true, "type": "contact"}
	if login := text(user["login"]); strings.Contains(login, "@") {
		vals["email"] = login
	}
	partners.put(pid, vals)
	user["partner_id"] = pid
}
