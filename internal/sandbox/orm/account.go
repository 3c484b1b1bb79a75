package orm

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// moveDefaults: the journal by move type, the company currency, the date,
// and the journal's company (checked on Odoo 18 and 19: a move loaded with
// a journal of another company of the user's goes into that company,
// without an error).
func (db *DB) moveDefaults(rec map[string]any) {
	if rec["move_type"] == nil {
		rec["move_type"] = "entry"
	}
	if rec["state"] == nil {
		rec["state"] = "draft"
	}
	if rec["currency_id"] == nil {
		rec["currency_id"] = db.companyCurrency()
	}
	if rec["date"] == nil {
		if d, ok := rec["invoice_date"].(string); ok {
			rec["date"] = d
		} else {
			rec["date"] = time.Now().UTC().Format("2006-01-02")
		}
	}
	if rec["journal_id"] == nil {
		rec["journal_id"] = db.journalFor(text(rec["move_type"]))
	}
	if j := db.models["account.journal"].recs[toInt(rec["journal_id"])]; j != nil && toInt(j["company_id"]) != 0 {
		rec["company_id"] = j["company_id"]
	}
}

func (db *DB) journalFor(moveType string) any {
	want := "general"
	switch {
	case strings.HasPrefix(moveType, "out_"):
		want = "sale"
	case strings.HasPrefix(moveType, "in_"):
		want = "purchase"
	}
	j := db.models["account.journal"]
	for _, id := range j.ids() {
		if j.recs[id]["type"] == want {
			return id
		}
	}
	return nil
}

// computed returns rec with the computed fields Ferry verifies: a move's
// amounts from its lines, a line's subtotal, group memberships.
func (db *DB) computed(m *Model, id int64, rec map[string]any) map[string]any {
	switch m.Name {
	case "res.users":
		return db.userGroups(m, id, rec)
	case "res.groups":
		return db.groupRelations(m, id, rec)
	case "account.move":
		return db.moveAmounts(m, id, rec)
	case "account.move.line":
		return db.lineComputed(rec)
	case "account.payment":
		return db.paymentComputed(rec)
	}
	return rec
}

func lineSubtotal(rec map[string]any) float64 {
	q, okq := num(rec["quantity"])
	p, _ := num(rec["price_unit"])
	if !okq {
		q = 1
	}
	return round(q*p, 2)
}

func (db *DB) moveAmounts(m *Model, id int64, rec map[string]any) map[string]any {
	f := m.Fields["invoice_line_ids"]
	if f == nil {
		return rec
	}
	var total float64
	lines := db.models[f.Relation]
	for _, lid := range db.o2mIDs(m, id, f) {
		total += lineSubtotal(lines.recs[lid])
	}
	out := copyRec(rec)
	total = round(total, 2)
	out["amount_untaxed"], out["amount_total"], out["amount_tax"] = total, total, 0.0
	out["amount_residual"], out["payment_state"] = total, "not_paid"
	if rec["state"] == "posted" && invoiceSign(text(rec["move_type"])) != 0 {
		out["amount_residual"], _ = db.invoiceResidual(id)
	}
	if invoiceSign(text(rec["move_type"])) != 0 {
		out["payment_state"] = db.paymentState(id, rec, total)
	}
	return out
}

// postedReadonly are the fields Odoo refuses to change on a posted move.
var postedReadonly = []string{"invoice_date", "partner_id", "invoice_line_ids", "line_ids", "date", "journal_id", "currency_id", "move_type"}

func (db *DB) beforeWrite(m *Model, id int64, vals map[string]any) error {
	if m.Name != "account.move" || m.recs[id]["state"] != "posted" {
		if m.Name == "account.move" && vals["state"] == "posted" {
			return db.post(m, id)
		}
		return nil
	}
	var touched []string
	for _, n := range postedReadonly {
		if _, ok := vals[n]; ok {
			touched = append(touched, n)
		}
	}
	if len(touched) > 0 {
		sort.SliceStable(touched, func(i, j int) bool { return order(touched[i]) < order(touched[j]) })
		return &Exception{Class: UserError, Message: "You cannot modify the following readonly fields on a posted move: " + strings.Join(touched, ", ")}
	}
	return nil
}

func order(f string) int {
	for i, n := range postedReadonly {
		if n == f {
			return i
		}
	}
	return len(postedReadonly)
}

func (db *DB) beforeUnlink(m *Model, id int64) error {
	if m.Name == "account.move" && m.recs[id]["state"] == "posted" {
		return &Exception{Class: UserError, Message: "You cannot delete an entry which has been posted once."}
	}
	switch m.Name {
	case "account.move":
		return db.beforeUnlinkMove(m, id)
	case "account.payment":
		return db.beforeUnlinkPayment(m, id)
	case partialModel:
		db.beforeUnlinkPartial(id)
	}
	return nil
}

func (db *DB) actionPost(b *bound) (any, error) {
	if b.m.Name == "account.payment" {
		return db.postPayments(b)
	}
	if err := db.missing(b); err != nil {
		return nil, err
	}
	for _, id := range b.ids {
		if err := db.post(b.m, id); err != nil {
			return nil, err
		}
	}
	return false, nil
}

// post checks and posts a move: it needs lines, and a journal entry must
// balance; it gets its number.
func (db *DB) post(m *Model, id int64) error {
	rec := m.recs[id]
	lines := db.o2mIDs(m, id, m.Fields["line_ids"])
	inv := db.o2mIDs(m, id, m.Fields["invoice_line_ids"])
	if len(lines) == 0 && len(inv) == 0 {
		return &Exception{Class: UserError, Message: "You need to add a line before posting."}
	}
	if rec["move_type"] == "entry" && !db.balanced(lines) {
		return &Exception{Class: UserError, Message: "The entry is not balanced."}
	}
	db.touch(m, id)
	rec["state"] = "posted"
	db.increaseRank(rec)
	if text(rec["name"]) == "" || rec["name"] == "/" {
		rec["name"] = db.nextName(rec)
	}
	db.syncJournalItems(m, id)
	return nil
}

func (db *DB) balanced(lines []int64) bool {
	lm := db.models["account.move.line"]
	var d, c float64
	for _, id := range lines {
		x, _ := num(lm.recs[id]["debit"])
		y, _ := num(lm.recs[id]["credit"])
		d, c = d+x, c+y
	}
	return round(d-c, 2) == 0
}

func (db *DB) nextName(rec map[string]any) string {
	prefix := map[string]string{"out_invoice": "INV", "out_refund": "RINV", "in_invoice": "BILL", "in_refund": "RBILL"}[text(rec["move_type"])]
	if prefix == "" {
		prefix = "MISC"
	}
	year := text(rec["date"])
	if len(year) >= 4 {
		year = year[:4]
	}
	k := prefix + "/" + year
	db.seq[k]++
	return fmt.Sprintf("%s/%s/%05d", prefix, year, db.seq[k])
}

func (db *DB) buttonDraft(b *bound) (any, error) {
	if err := db.missing(b); err != nil {
		return nil, err
	}
	for _, id := range b.ids {
		if err := db.draftMove(b.m, id); err != nil { // payment.go
			return nil, err
		}
	}
	return None{}, nil
}

// increaseRank is Odoo's _increase_rank on posting: a customer invoice
// raises its partner's customer_rank, a vendor bill its supplier_rank.
func (db *DB) increaseRank(move map[string]any) {
	field := ""
	switch {
	case strings.HasPrefix(text(move["move_type"]), "out_"):
		field = "customer_rank"
	case strings.HasPrefix(text(move["move_type"]), "in_"):
		field = "supplier_rank"
	}
	partners := db.models["res.partner"]
	pid := toInt(move["partner_id"])
	if field == "" || partners.recs[pid] == nil || partners.Fields[field] == nil {
		return
	}
	db.touch(partners, pid)
	partners.recs[pid][field] = toInt(partners.recs[pid][field]) + 1
}
