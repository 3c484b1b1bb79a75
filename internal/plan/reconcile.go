package plan

import "fmt"

// Reconcile declares what an entity's records are reconciled with once
// loaded and posted (full_history accounting: payments with the invoices
// they pay). With is an expression over the source row (row, key), like a
// field's, giving the external ID of the document — ref("invoices",
// row.invoice) — or a list of them (refs); an empty value reconciles the
// row with nothing. After the entities' after_load actions, the loader
// reconciles each record's open receivable or payable journal items with
// the documents' on the same account (Odoo's account.move.line reconcile),
// one ledger step per record; a record already reconciled with the
// documents is left alone, so a rerun finishes what an interrupted one
// began.
type Reconcile struct {
	With string   `yaml:"with" json:"with" jsonschema:"minLength=1"`
	Pos  Position `yaml:"-" json:"-"`
}

// ReconcileModels are the models whose records Ferry reconciles: a
// payment (its journal entry's items) or a journal entry.
var ReconcileModels = []string{"account.payment", "account.move"}

// reconcile checks an entity's reconcile: and fills its position.
func (c *checker) reconcile(e *Entity, at []string) {
	if e.Reconcile == nil {
		return
	}
	rat := append(append([]string(nil), at...), "reconcile")
	e.Reconcile.Pos = c.position(append(rat, "with"))
	for _, m := range ReconcileModels {
		if e.Model == m {
			return
		}
	}
	c.add("CFG101", rat, fmt.Sprintf("reconcile: on %s: Ferry reconciles the journal items of %s or %s records", e.Model, ReconcileModels[0], ReconcileModels[1]),
		"declare reconcile: on the payments (account.payment) or journal entries (account.move) that settle the documents")
}
