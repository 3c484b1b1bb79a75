// Package rollback undoes a run from its ledger: records the run created
// are deleted, in reverse load order (their external IDs go with them:
// Odoo's unlink removes them), posted documents are reset to draft first
// (button_draft), and records the run updated get their before-images
// written back. Plan builds the list of actions without touching the
// target (--dry-run prints it); Apply carries it out, one entity at a time,
// reporting each record Odoo refuses instead of stopping.
//
// Runs of one plan build on each other: a later run updates what an
// earlier one wrote and takes its ledger rows over. Chain therefore undoes
// a run only together with its later runs, newest first, so the target
// returns to its state before the run; each run's own rows come from the
// ledger's run history.
package rollback
