package orm

import "slices"

// The companies a call works in. A call's context may name them
// (allowed_company_ids); Odoo checks them against its user's companies
// (res.users company_ids) the first time the call needs the current
// companies, and refuses the call with an AccessError when one is not the
// user's or does not exist. Recorded on Odoo 18 and 19 with an unknown
// company:
//   - fields_get, get_external_id, context_get and check_access_rights
//     never need them;
//   - searching and reading need them only on models with multi-company
//     record rules: those with a company_id or company_ids field, and
//     res.company (not ir.attachment on 19);
//   - every other method needs them: create, write, unlink, default_get,
//     has_access, check_object_reference, the actions;
//   - load reports the refusal per record, as a message (ids false) —
//     except on 18 for res.partner and res.users, whose load raises it.
//
// A company a user creates, with create or load, becomes one of theirs
// (and the superuser's), as Odoo's res.company create does.

const companiesRefused = "Access to unauthorized or invalid companies."

// checkCompanies refuses a call whose allowed_company_ids its user may
// not use, where Odoo would; load's refusal is left to load (loadRefusal).
func (db *DB) checkCompanies(b *bound) error {
	err := db.companyError(b)
	if err == nil {
		return nil
	}
	switch b.Method {
	case "fields_get", "get_external_id", "context_get", "check_access_rights":
		return nil
	case "load":
		if db.version < 19 && (b.m.Name == "res.partner" || b.m.Name == "res.users") {
			return err
		}
		return nil
	}
	if operation(b.Method) == "read" && !db.companyRuled(b.m) {
		return nil
	}
	return err
}

// loadRefusal is the message load gives each record when the call's
// companies are refused, or "".
func (db *DB) loadRefusal(b *bound) string {
	if e, ok := db.companyError(b).(*Exception); ok {
		return e.Message
	}
	return ""
}

// companyError is the error of a call whose allowed_company_ids names a
// company its user may not use, or nil.
func (db *DB) companyError(b *bound) error {
	v, ok := b.Context["allowed_company_ids"]
	if !ok || v == nil {
		return nil
	}
	list, isList := v.([]any)
	if !isList {
		if _, isInt := v.(int64); isInt {
			return &Exception{Class: TypeError, Message: "'int' object is not iterable"}
		}
		return &Exception{Class: AccessError, Message: companiesRefused}
	}
	mine := db.userCompanies(b.UID)
	for _, c := range list {
		id, isInt := c.(int64)
		if !isInt || !slices.Contains(mine, id) {
			return &Exception{Class: AccessError, Message: companiesRefused}
		}
	}
	return nil
}

// companyRuled reports whether m has multi-company record rules.
func (db *DB) companyRuled(m *Model) bool {
	if m.Name == "ir.attachment" && db.version >= 19 {
		return false
	}
	return m.Name == "res.company" || m.Fields["company_id"] != nil || m.Fields["company_ids"] != nil
}

// userCompanies returns the companies of user uid: its company_ids, else
// its company.
func (db *DB) userCompanies(uid int64) []int64 {
	rec := db.models["res.users"].recs[uid]
	if rec == nil {
		return nil
	}
	if ids, _ := rec["company_ids"].([]int64); len(ids) > 0 {
		return ids
	}
	if c := toInt(rec["company_id"]); c != 0 {
		return []int64{c}
	}
	return []int64{1}
}

// linkCreator makes a company uid created one of its companies and of
// the superuser's; other records it leaves alone.
func (db *DB) linkCreator(m *Model, id, uid int64) {
	if m.Name != "res.company" {
		return
	}
	for _, u := range []int64{uid, 1} {
		rec := db.models["res.users"].recs[u]
		if rec == nil {
			continue
		}
		ids := db.userCompanies(u)
		if !slices.Contains(ids, id) {
			rec["company_ids"] = append(slices.Clone(ids), id)
		}
	}
}
