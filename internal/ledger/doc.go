// Package ledger is the run ledger: what Ferry wrote, row by row, so that
// a run can be resumed after a crash, repeated incrementally and rolled
// back (docs/design/ledger.md).
//
// Vocabulary. A Run is one `ferry run` of a plan (a resumed run keeps its
// id). A Row is the current state of one source row of one entity pass,
// keyed by its external ID (or "@position" when it has none): pending
// while a batch holding it is in flight, then loaded, unchanged,
// quarantined or skipped. A Batch is one load call: marked sent before the
// call and committed after Odoo answered, in the same transaction as its
// rows' states. An Image is the before-image of a record the run updates;
// a Step is an after-load action on one record. A run's history
// (RunHistory) is its own version of every row it wrote, kept when a later
// run takes the row over: what rollback undoes, and what MarkRolledBack
// puts back when a later run is undone.
//
// Store keeps all of it in SQLite (WAL, synchronous=FULL) or PostgreSQL and
// is safe for concurrent use by the loader's workers; one process at a time
// holds it. A batch's pending rows are stored with the batch and written
// to rows once, with Odoo's answer (sent.go); every read sees them as if
// written when the batch was marked sent.
package ledger
