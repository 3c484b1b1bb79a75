package orm

import (
	"fmt"
	"strings"
	"time"
)

// Payments (account.payment), as Odoo 18 and 19 community answer (checked on
// both servers, see internal/contract TestPaymentsReconcileWithInvoices):
//
//   - Created (or loaded) as draft, without name or journal entry; the
//     outstanding account is set at once (community: Outstanding Receipts
//     101403 for inbound, Outstanding Payments 101404 for outbound) and the
//     destination account is the partner's receivable (customer) or payable
//     (supplier).
//   - action_post returns None: it creates and posts the journal entry
//     (number P<journal code>/<year>/<5 digits>, ref = memo) with a
//     liquidity line on the outstanding account and a counterpart line on
//     the destination account, both named "Manual Payment" (": memo" when
//     there is one), dated and due at the payment's date, with the payment's
//     partner; the payment takes the entry's name and state in_process
//     (paid at once only on an outstanding account of type bank and cash).
//     On a posted payment it does nothing.
//   - Reconciled: 19 turns an in_process payment paid once every invoice it
//     is reconciled with is paid (and back when unreconciled); 18 keeps it
//     in_process (it looks at invoice_ids, which only the payment wizard
//     fills).
//   - action_draft returns None: state draft and button_draft of the entry
//     ("Only posted/cancelled journal entries can be reset to draft." when
//     the entry is draft already); 18 unreconciles, 19 keeps the
//     reconciliation.
//   - unlink of a draft payment deletes its entry (True); of a posted one —
//     or of a posted payment's entry — ValidationError "A payment with an
//     outstanding account cannot be confirmed without having a journal
//     entry.". button_draft does not exist on account.payment.

const paymentWithoutEntry = "A payment with an outstanding account cannot be confirmed without having a journal entry."

// paymentDefaults fills a new payment created with vals.
func (db *DB) paymentDefaults(rec, vals map[string]any) {
	set := func(k string, v any) {
		if rec[k] == nil && v != nil {
			rec[k] = v
		}
	}
	set("payment_type", "inbound")
	set("partner_type", "customer")
	set("state", "draft")
	set("date", time.Now().UTC().Format("2006-01-02"))
	set("company_id", int64(1))
	if rec["journal_id"] == nil {
		j := db.models["account.journal"]
		for _, typ := range []string{"bank", "cash"} {
			for _, id := range j.ids() {
				if rec["journal_id"] == nil && j.recs[id]["type"] == typ {
					rec["journal_id"] = id
				}
			}
		}
	}
	if _, given := vals["currency_id"]; !given { // an empty currency given stays empty (checked on 18 and 19)
		if j := db.models["account.journal"].recs[toInt(rec["journal_id"])]; j != nil && toInt(j["currency_id"]) != 0 {
			set("currency_id", toInt(j["currency_id"]))
		}
		set("currency_id", db.companyCurrency())
	}
	ref := "account.1_account_journal_payment_debit_account_id"
	if rec["payment_type"] == "outbound" {
		ref = "account.1_account_journal_payment_credit_account_id"
	}
	if x, ok := db.xmlids[ref]; ok && x.model == "account.account" {
		set("outstanding_account_id", x.id)
	} else {
		set("outstanding_account_id", db.accountByCode("101701")) // the company's transfer account
	}
	kind := "asset_receivable"
	if rec["partner_type"] == "supplier" {
		kind = "liability_payable"
	}
	set("destination_account_id", db.accountOfType(kind))
}

func (db *DB) accountByCode(code string) any {
	am := db.models["account.account"]
	for _, id := range am.ids() {
		if text(am.recs[id]["code"]) == code {
			return id
		}
	}
	return nil
}

// paymentComputed adds a payment's reconciliation fields.
func (db *DB) paymentComputed(rec map[string]any) map[string]any {
	out := copyRec(rec)
	out["is_reconciled"], out["is_matched"] = false, false
	out["reconciled_invoice_ids"], out["reconciled_bill_ids"] = []int64{}, []int64{}
	move := toInt(rec["move_id"])
	if move == 0 || db.models["account.move"].recs[move] == nil {
		return out
	}
	_, counterpart := db.paymentLines(rec)
	lm := db.models["account.move.line"]
	reconciled := len(counterpart) > 0
	for _, l := range counterpart {
		reconciled = reconciled && lineResidual(lm.recs[l]) == 0
	}
	out["is_reconciled"] = reconciled
	inv, bills := db.reconciledDocuments(counterpart)
	out["reconciled_invoice_ids"], out["reconciled_bill_ids"] = inv, bills
	return out
}

// paymentLines splits the payment's journal items into the liquidity lines
// (on its outstanding account) and the counterpart lines.
func (db *DB) paymentLines(pay map[string]any) (liquidity, counterpart []int64) {
	mv := db.models["account.move"]
	lm := db.models["account.move.line"]
	for _, lid := range db.o2mIDs(mv, toInt(pay["move_id"]), mv.Fields["line_ids"]) {
		if toInt(lm.recs[lid]["account_id"]) == toInt(pay["outstanding_account_id"]) {
			liquidity = append(liquidity, lid)
		} else {
			counterpart = append(counterpart, lid)
		}
	}
	return liquidity, counterpart
}

// reconciledDocuments lists the invoices (sale documents) and bills
// (purchase documents) the lines are reconciled with.
func (db *DB) reconciledDocuments(lines []int64) (invoices, bills []int64) {
	invoices, bills = []int64{}, []int64{}
	if len(lines) == 0 || db.models[partialModel] == nil {
		return
	}
	lm, mv, pm := db.models["account.move.line"], db.models["account.move"], db.models[partialModel]
	own := map[int64]bool{}
	for _, l := range lines {
		own[l] = true
	}
	seen := map[int64]bool{}
	for _, pid := range db.partialsOf(lines) {
		p := pm.recs[pid]
		other := toInt(p["debit_move_id"])
		if own[other] {
			other = toInt(p["credit_move_id"])
		}
		l := lm.recs[other]
		if l == nil {
			continue
		}
		mid := toInt(l["move_id"])
		move := mv.recs[mid]
		if move == nil || seen[mid] {
			continue
		}
		seen[mid] = true
		switch t := text(move["move_type"]); {
		case strings.HasPrefix(t, "out_"):
			invoices = append(invoices, mid)
		case strings.HasPrefix(t, "in_"):
			bills = append(bills, mid)
		}
	}
	return invoices, bills
}

// postPayments is account.payment action_post.
func (db *DB) postPayments(b *bound) (any, error) {
	if err := db.missing(b); err != nil {
		return nil, err
	}
	for _, id := range b.ids {
		if err := db.postPayment(b.m, id); err != nil {
			return nil, err
		}
	}
	return None{}, nil
}

func (db *DB) postPayment(pm *Model, id int64) error {
	pay := pm.recs[id]
	if pay["state"] != "draft" && pay["state"] != nil {
		return nil
	}
	mv := db.models["account.move"]
	move := toInt(pay["move_id"])
	if move == 0 || mv.recs[move] == nil {
		move = db.paymentEntry(pm, id)
	}
	rec := mv.recs[move]
	if rec["state"] != "posted" {
		if text(rec["name"]) == "" || rec["name"] == "/" {
			db.touch(mv, move)
			rec["name"] = db.paymentNumber(rec)
		}
		if err := db.post(mv, move); err != nil {
			return err
		}
	}
	db.touch(pm, id)
	pay["name"] = rec["name"]
	pay["state"] = "in_process"
	if acc := db.models["account.account"].recs[toInt(pay["outstanding_account_id"])]; acc != nil && acc["account_type"] == "asset_cash" {
		pay["state"] = "paid"
	}
	db.settlePayments(map[int64]bool{move: true})
	return nil
}

// paymentEntry creates the payment's draft journal entry and its two lines.
func (db *DB) paymentEntry(pm *Model, id int64) int64 {
	pay := pm.recs[id]
	mv, lm := db.models["account.move"], db.models["account.move.line"]
	move := mv.nextID()
	db.touch(mv, move)
	entry := map[string]any{"move_type": "entry", "state": "draft", "name": "/", "date": pay["date"], "journal_id": pay["journal_id"],
		"partner_id": pay["partner_id"], "currency_id": pay["currency_id"], "company_id": pay["company_id"], "create_date": now(), "write_date": now()}
	if memo := text(pay["memo"]); memo != "" {
		entry["ref"] = memo
	}
	if mv.Fields["origin_payment_id"] != nil {
		entry["origin_payment_id"] = id
	}
	mv.put(move, entry)
	amount, _ := num(pay["amount"])
	if pay["payment_type"] == "outbound" {
		amount = -amount
	}
	name := "Manual Payment"
	if memo := text(pay["memo"]); memo != "" {
		name += ": " + memo
	}
	for _, l := range []struct {
		account any
		balance float64
	}{{pay["outstanding_account_id"], amount}, {pay["destination_account_id"], -amount}} {
		line := map[string]any{"move_id": move, "name": name, "account_id": l.account, "partner_id": pay["partner_id"],
			"date_maturity": pay["date"], "display_type": "product", "currency_id": pay["currency_id"], "company_id": pay["company_id"],
			"create_date": now(), "write_date": now()}
		setBalance(line, l.balance)
		lid := lm.nextID()
		db.touch(lm, lid)
		lm.put(lid, line)
	}
	db.touch(pm, id)
	pay["move_id"] = move
	return move
}

// paymentNumber is the payment entry's number: P, the journal's code, the
// year and a sequence per both (PBNK1/2023/00001).
func (db *DB) paymentNumber(move map[string]any) string {
	code := text(db.models["account.journal"].recs[toInt(move["journal_id"])]["code"])
	year := text(move["date"])
	if len(year) >= 4 {
		year = year[:4]
	}
	k := "P" + code + "/" + year
	db.seq[k]++
	return fmt.Sprintf("%s/%05d", k, db.seq[k])
}

// draftPayments is account.payment action_draft.
func (db *DB) draftPayments(b *bound) (any, error) {
	if err := db.missing(b); err != nil {
		return nil, err
	}
	mv := db.models["account.move"]
	for _, id := range b.ids {
		pay := b.m.recs[id]
		db.touch(b.m, id)
		pay["state"] = "draft"
		if move := toInt(pay["move_id"]); move != 0 && mv.recs[move] != nil {
			if err := db.draftMove(mv, move); err != nil {
				return nil, err
			}
		}
	}
	return None{}, nil
}

// draftMove is button_draft on one entry: posted or cancelled only; 18
// also removes its reconciliations.
func (db *DB) draftMove(m *Model, id int64) error {
	rec := m.recs[id]
	if rec["state"] != "posted" && rec["state"] != "cancel" {
		return &Exception{Class: UserError, Message: "Only posted/cancelled journal entries can be reset to draft."}
	}
	if db.version < 19 && db.models[partialModel] != nil {
		db.removePartials(db.partialsOf(db.o2mIDs(m, id, m.Fields["line_ids"])))
	}
	db.touch(m, id)
	rec["state"] = "draft"
	return nil
}

// beforeUnlinkPayment refuses to delete a posted payment and deletes a
// draft one's entry.
func (db *DB) beforeUnlinkPayment(m *Model, id int64) error {
	pay := m.recs[id]
	if pay["state"] != "draft" && toInt(pay["outstanding_account_id"]) != 0 {
		return &Exception{Class: ValidationError, Message: paymentWithoutEntry}
	}
	mv := db.models["account.move"]
	if move := toInt(pay["move_id"]); move != 0 && mv.recs[move] != nil {
		db.dropMove(mv, move)
	}
	return nil
}

// beforeUnlinkMove refuses to delete the entry of a payment that is not
// draft and takes back the reconciliations of the entry's lines.
func (db *DB) beforeUnlinkMove(m *Model, id int64) error {
	if pm := db.models["account.payment"]; pm != nil && m.Fields["origin_payment_id"] != nil {
		if pay := pm.recs[toInt(m.recs[id]["origin_payment_id"])]; pay != nil && pay["state"] != "draft" && toInt(pay["move_id"]) == id {
			return &Exception{Class: ValidationError, Message: paymentWithoutEntry}
		}
	}
	if db.models[partialModel] != nil {
		db.removePartials(db.partialsOf(db.o2mIDs(m, id, m.Fields["line_ids"])))
	}
	return nil
}

// dropMove deletes an entry with its lines (and their reconciliations).
func (db *DB) dropMove(mv *Model, id int64) {
	if db.models[partialModel] != nil {
		db.removePartials(db.partialsOf(db.o2mIDs(mv, id, mv.Fields["line_ids"])))
	}
	db.cascade(mv, id)
	db.touch(mv, id)
	mv.remove(id)
	db.dropXMLIDs(mv.Name, map[int64]bool{id: true})
}

// settlePayments gives the payments whose entries are, or are reconciled
// with, the moves their state: in_process or paid (see above).
func (db *DB) settlePayments(moves map[int64]bool) {
	pm := db.models["account.payment"]
	if pm == nil || len(moves) == 0 {
		return
	}
	mv, lm := db.models["account.move"], db.models["account.move.line"]
	related := map[int64]bool{}
	var lines []int64
	for m := range moves {
		related[m] = true
		if mv.recs[m] != nil {
			lines = append(lines, db.o2mIDs(mv, m, mv.Fields["line_ids"])...)
		}
	}
	if db.models[partialModel] != nil {
		for _, pid := range db.partialsOf(lines) {
			p := db.models[partialModel].recs[pid]
			for _, k := range []string{"debit_move_id", "credit_move_id"} {
				if l := lm.recs[toInt(p[k])]; l != nil {
					related[toInt(l["move_id"])] = true
				}
			}
		}
	}
	for _, id := range pm.ids() {
		pay := pm.recs[id]
		if !related[toInt(pay["move_id"])] || (pay["state"] != "in_process" && pay["state"] != "paid") || mv.recs[toInt(pay["move_id"])] == nil {
			continue
		}
		liquidity, counterpart := db.paymentLines(pay)
		state := "in_process"
		var left float64
		reconciles := false
		for _, l := range liquidity {
			left += lineResidual(lm.recs[l])
			reconciles = reconciles || db.reconcilable(lm.recs[l])
		}
		if round(left, 2) == 0 || !reconciles {
			state = "paid"
		}
		docs := toIDs(pay["invoice_ids"])
		if db.version >= 19 {
			docs, _ = db.reconciledDocuments(counterpart)
		}
		if state == "in_process" && len(docs) > 0 {
			all := true
			for _, d := range docs {
				rec := mv.recs[d]
				all = all && rec != nil && db.paymentState(d, rec, 0) == "paid"
			}
			if all {
				state = "paid"
			}
		}
		if pay["state"] != state {
			db.touch(pm, id)
			pay["state"] = state
		}
	}
}

func toIDs(v any) []int64 {
	switch x := v.(type) {
	case []int64:
		return x
	case []any:
		out := make([]int64, 0, len(x))
		for _, e := range x {
			out = append(out, toInt(e))
		}
		return out
	}
	return nil
}
