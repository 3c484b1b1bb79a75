// Package rollback undoes a run from its ledger: records the run created
// are deleted, in reverse load order (their external IDs go with them:
// Odoo's unlink removes them), posted documents are reset to draft first
// (button_draft), and records the run updated get their before-images
// written back. Plan builds the list of actions without touching the
// target (--dry-run prints it); Apply carries it out, one entity at a time,
// reporting each record Odoo refuses instead of stopping.
package rollback
