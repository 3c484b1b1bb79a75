// Package load writes prepared rows into Odoo, exactly once, and keeps the
// ledger (internal/ledger) in step so that a run can be killed at any
// instant and resumed.
//
// Run streams every entity pass of a prepared pipeline in load order. A
// ready row gets a fingerprint (SHA-256 of its canonical JSON); a row the
// ledger already holds as loaded with the same fingerprint is unchanged and
// not sent. The others are encoded as load columns (Encode: "id" is the
// external ID, references go as "<field>/id" or "<field>/.id", one2many
// lines as sub-rows with their own external IDs), grouped by column set
// (rows of one call must share it) and sent in batches of the plan's
// batch_size through Odoo's load, by several workers at once.
//
// A batch is marked sent in the ledger before the call and committed after
// the answer. When Odoo rolls a batch back, each error message is
// attributed to the record whose rows it names; those records are
// quarantined with Odoo's message and the rest is sent again. What no
// message covers is bisected. Concurrency failures are never quarantined:
// the client retries them, and if they persist the run stops, resumable.
//
// After an entity's first pass, the translations its plan declares are
// written per record with update_field_translations, as ledger steps
// (translations.go); after every entity, the after-load actions.
//
// Per entity pass, read = loaded + unchanged + quarantined + skipped must
// hold, or the run fails with an *IntegrityError.
package load
