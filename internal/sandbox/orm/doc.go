// Package orm is the sandbox's in-memory Odoo ORM subset: models and fields
// from a fields_get schema snapshot, seeded with the reference records a
// fresh Odoo database holds (with their external IDs), and the model methods
// a migration calls (create, write, unlink, read, search, search_read,
// search_count, name_search, read_group, fields_get, load, get_external_id,
// check_object_reference, context_get, check_access_rights,
// update_field_translations…), with Odoo's value semantics and Odoo's exact
// messages. Translated fields hold a value per language, read and written
// in the call's context lang (translate.go); languages are active as the
// reference data recorded them (en_US only) until someone activates more.
//
// Users are internal users (base.group_user); the admin also holds
// Access Rights and Settings. A restricted user (NewUser.Restricted) is
// held to the access rights a security audit meets (access.go): the
// Settings models are refused with Odoo's AccessError, and API keys are
// filtered to the user's own. Group memberships are stored on res.users
// and computed on res.groups (membership.go).
//
// It knows nothing about HTTP: the sandbox package speaks the protocols and
// calls DB.Execute with a Call; failures come back as *Exception.
package orm
