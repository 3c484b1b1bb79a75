package orm

import "strings"

// Journal items of invoices, as Odoo 18 and 19 keep them (checked on a
// posted customer invoice of a real Odoo 18): each product line carries
// its subtotal as a credit (a customer invoice, a vendor refund) or a
// debit (a vendor bill, a customer refund) on its account, by default the
// journal's; one payment term line carries the total on the receivable
// or payable account, with the commercial partner and the due date, and
// its residual. Odoo syncs these lines on every change of a draft; the
// sandbox does it when the invoice is posted, and computes no taxes.

// invoiceSign is +1 where product lines are credited, -1 where they are
// debited, 0 for a journal entry.
func invoiceSign(moveType string) float64 {
	switch moveType {
	case "out_invoice", "in_refund", "out_receipt":
		return 1
	case "in_invoice", "out_refund", "in_receipt":
		return -1
	}
	return 0
}

// isInvoiceLine reports a line invoice_line_ids shows: products, sections
// and notes, not the tax and payment term lines.
func isInvoiceLine(rec map[string]any) bool {
	switch text(rec["display_type"]) {
	case "", "product", "line_section", "line_note":
		return true
	}
	return false
}

// syncJournalItems sets the invoice's product lines' debit and credit and
// replaces its payment term line.
func (db *DB) syncJournalItems(m *Model, id int64) {
	move := m.recs[id]
	sign := invoiceSign(text(move["move_type"]))
	if sign == 0 {
		return
	}
	lm := db.models["account.move.line"]
	var total float64
	for _, lid := range db.o2mIDs(m, id, m.Fields["line_ids"]) {
		l := lm.recs[lid]
		db.touch(lm, lid)
		switch text(l["display_type"]) {
		case "payment_term":
			db.dropPartialsOfLine(lid) // reconcile.go
			lm.remove(lid)
			continue
		case "line_section", "line_note":
			continue
		}
		bal := -sign * lineSubtotal(l)
		setBalance(l, bal)
		l["display_type"] = "product"
		l["partner_id"] = move["partner_id"]
		if toInt(l["account_id"]) == 0 {
			l["account_id"] = toInt(db.models["account.journal"].recs[toInt(move["journal_id"])]["default_account_id"])
		}
		total += bal
	}
	kind := "asset_receivable"
	if strings.HasPrefix(text(move["move_type"]), "in_") {
		kind = "liability_payable"
	}
	due := move["invoice_date_due"]
	if text(due) == "" {
		due = move["date"]
	}
	term := map[string]any{"move_id": id, "display_type": "payment_term", "account_id": db.accountOfType(kind),
		"partner_id": db.commercialPartner(toInt(move["partner_id"])), "name": text(move["name"]),
		"date_maturity": due, "currency_id": move["currency_id"], "company_id": move["company_id"],
		"create_date": now(), "write_date": now()}
	setBalance(term, round(-total, 2))
	nid := lm.nextID()
	db.touch(lm, nid)
	lm.put(nid, term)
}

func setBalance(l map[string]any, bal float64) {
	bal = round(bal, 2)
	l["debit"], l["credit"] = max(bal, 0), max(-bal, 0)
}

// accountOfType is the first account of an account type (the generic
// chart has one receivable and one payable for partners).
func (db *DB) accountOfType(kind string) any {
	am := db.models["account.account"]
	for _, id := range am.ids() {
		if am.recs[id]["account_type"] == kind {
			return id
		}
	}
	return false
}

func (db *DB) commercialPartner(id int64) any {
	pm := db.models["res.partner"]
	for {
		p := pm.recs[id]
		if p == nil {
			return false
		}
		parent := toInt(p["parent_id"])
		if p["is_company"] == true || parent == 0 {
			return id
		}
		id = parent
	}
}

// lineComputed adds a journal item's computed fields: balance, its
// entry's state and date, its account's type, and its residual and
// reconciled on an account that reconciles (reconcile.go).
func (db *DB) lineComputed(rec map[string]any) map[string]any {
	out := copyRec(rec)
	sub := lineSubtotal(rec)
	if !isInvoiceLine(rec) {
		sub = 0
	}
	out["price_subtotal"], out["price_total"] = sub, sub
	d, _ := num(rec["debit"])
	c, _ := num(rec["credit"])
	bal := round(d-c, 2)
	out["balance"], out["amount_residual"], out["reconciled"] = bal, 0.0, false
	if move := db.models["account.move"].recs[toInt(rec["move_id"])]; move != nil {
		out["parent_state"], out["date"] = move["state"], move["date"]
	}
	if acc := db.models["account.account"].recs[toInt(rec["account_id"])]; acc != nil {
		out["account_type"] = acc["account_type"]
		if acc["reconcile"] == true {
			out["amount_residual"], out["reconciled"] = lineResidual(rec), lineResidual(rec) == 0
		}
	}
	return out
}
