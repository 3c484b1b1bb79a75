// Package odoosrc reads one model of another Odoo database (16 to 19)
// through its external API: the `kind: odoo` source of a plan, used to
// migrate an older Odoo into a new one.
//
// A selection names the model in table: (res.partner), optionally a search
// domain in domain: and the fields in fields:. Without fields: the source
// reads every field fields_get reports as stored, except one2many and
// binary fields; that list comes from the server, so a plan reads what
// each version has (a field renamed or removed between versions is simply
// not there). A field named in fields: must be one fields_get lists; an
// unknown one is an error that names the version and suggests fields with
// a similar name. Archived records are read too (context active_test is
// false, also for the links of many2many fields): add
// [active, "=", true] to the domain to leave them out. In a domain from
// YAML, null is Odoo's false ([parent_id, "=", null]).
//
// Records are read in id order by keyset pages: each page searches the ids
// above the last one delivered (id > last, order id, limit Page), then
// reads their fields, so memory stays flat for millions of records and a
// scan resumes exactly after a record's Position.Cursor, which holds its
// database id. Position.Row counts the records delivered.
//
// Columns: id (the database id, int), xmlid (the record's external ID),
// then the fields. Values are typed like the other sources': boolean as
// bool, integer as int64, float and monetary as float64, date as a
// time.Time at midnight UTC, datetime as a time.Time in UTC, char, text,
// html, selection and reference as string, binary as []byte, json and
// properties as JSON text, and Odoo's false for an empty value as nil.
// Relations are carried as external IDs, never as database ids or names:
// a many2one is the external ID of the record it points to (a string), a
// many2many or one2many the list of its records' external IDs (a []any of
// strings, column type "list"; a many2many's in id order, so renaming a
// tag does not reorder it, a one2many's in Odoo's order, which follows a
// line's sequence). External IDs are looked up with
// get_external_id, one call per page per model; a record without one is
// named <namespace>.<model with dots as _>_<id> (acme.res_partner_42),
// where namespace is the plan's. The source is read-only: it never calls
// export_data, which needs export rights and writes __export__ external
// IDs into the old database.
//
// Errors name the source and the model and say what went wrong: the server
// cannot be reached, it refused the credentials, the model does not exist,
// the user may not read it. They never hold the password or API key.
package odoosrc
