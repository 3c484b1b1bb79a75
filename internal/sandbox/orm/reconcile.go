package orm

import (
	"fmt"
	"sort"
	"strings"
)

// Reconciliation of journal items, as Odoo 18 and 19 answer it (checked on
// both with a customer invoice of 1000 paid 400 then 600, an overpayment of
// 1200 and a vendor bill paid in full; see internal/contract
// TestPaymentsReconcileWithInvoices):
//
//   - account.move.line reconcile() returns None (a "cannot marshal None"
//     fault over XML-RPC after committing, no result over JSON-RPC). It
//     checks, in this order: a line already reconciled ("You are trying to
//     reconcile some entries that are already reconciled."; 19 first leaves
//     out reconciled lines whose partial matching number an open line of the
//     call shares), 18: a line not posted ("You can only reconcile posted
//     entries.") / 19: a cancelled one ("You can not reconcile cancelled
//     entries." — 19 reconciles drafts), several accounts ("Entries are not
//     from the same account: A, B", in the lines' order), an account that
//     does not reconcile. Then it matches debit and credit lines, oldest
//     due date first, into account.partial.reconcile records of the smaller
//     residual; a line whose residual reaches zero is reconciled.
//   - Lines reconciled together share a matching number: "P" + the smallest
//     partial id of their group, or, once every line of the group has a zero
//     residual, the id of the account.full.reconcile made for them.
//   - remove_move_reconcile() (None) and unlinking partials (True) undo it;
//     account.move js_remove_outstanding_partial(partial_id) returns True and
//     js_assign_outstanding_line(line_id) None.
//   - An invoice's amount_residual is what its receivable or payable lines
//     still carry; payment_state is not_paid, partial (reconciled with
//     something, a residual left) or paid (nothing left: a community
//     database answers paid, not in_payment, for a payment still on the
//     outstanding receipts account).
//   - button_draft of a move removes its reconciliations in 18, keeps them in
//     19.

const (
	partialModel = "account.partial.reconcile"
	fullModel    = "account.full.reconcile"
	// matchedKey holds, on a journal item, the signed sum of the partials
	// that reduce its residual (residual = balance − matched). Not a field.
	matchedKey = "\x00matched"
)

// reconcileModels adds the reconciliation models when the schema lacks
// them (the recorded schemas do), with the fields Odoo 18 and 19 give them.
func (db *DB) reconcileModels() {
	if db.models["account.move.line"] == nil {
		return
	}
	f := func(typ, str, rel string, required bool) map[string]any {
		a := map[string]any{"type": typ, "string": str, "store": true, "readonly": true, "required": required, "searchable": true, "sortable": true}
		if rel != "" {
			a["relation"] = rel
		}
		return a
	}
	if db.models[partialModel] == nil {
		db.models[partialModel] = newModel(partialModel, map[string]map[string]any{
			"id":                     f("integer", "ID", "", false),
			"debit_move_id":          f("many2one", "Debit Move", "account.move.line", true),
			"credit_move_id":         f("many2one", "Credit Move", "account.move.line", true),
			"full_reconcile_id":      f("many2one", "Full Reconcile", fullModel, false),
			"amount":                 f("monetary", "Amount", "", false),
			"debit_amount_currency":  f("monetary", "Debit Amount Currency", "", false),
			"credit_amount_currency": f("monetary", "Credit Amount Currency", "", false),
			"max_date":               f("date", "Max Date of Matched Lines", "", false),
			"company_id":             f("many2one", "Company", "res.company", false),
			"create_date":            f("datetime", "Created on", "", false),
			"write_date":             f("datetime", "Last Updated on", "", false),
		})
	}
	if db.models[fullModel] == nil {
		partials := f("one2many", "Reconciliation Parts", partialModel, false)
		partials["relation_field"] = "full_reconcile_id"
		lines := f("one2many", "Matched Journal Items", "account.move.line", false)
		lines["relation_field"] = "full_reconcile_id"
		db.models[fullModel] = newModel(fullModel, map[string]map[string]any{
			"id":                    f("integer", "ID", "", false),
			"partial_reconcile_ids": partials,
			"reconciled_line_ids":   lines,
			"create_date":           f("datetime", "Created on", "", false),
			"write_date":            f("datetime", "Last Updated on", "", false),
		})
	}
}

// lineBalance is a journal item's debit − credit.
func lineBalance(l map[string]any) float64 {
	d, _ := num(l["debit"])
	c, _ := num(l["credit"])
	return round(d-c, 2)
}

// lineResidual is what a journal item on a reconciling account still
// carries.
func lineResidual(l map[string]any) float64 {
	m, _ := num(l[matchedKey])
	return round(lineBalance(l)-m, 2)
}

func (db *DB) reconcilable(l map[string]any) bool {
	acc := db.models["account.account"].recs[toInt(l["account_id"])]
	return acc != nil && acc["reconcile"] == true
}

// lineState is the state of a journal item's entry.
func (db *DB) lineState(l map[string]any) string {
	if mv := db.models["account.move"].recs[toInt(l["move_id"])]; mv != nil {
		return text(mv["state"])
	}
	return ""
}

// reconcileLines is account.move.line reconcile().
func (db *DB) reconcileLines(b *bound) (any, error) {
	if err := db.missing(b); err != nil {
		return nil, err
	}
	return None{}, db.reconcile(b.ids)
}

func (db *DB) reconcile(ids []int64) error {
	lm := db.models["account.move.line"]
	ids = uniqueIDs(ids)
	if db.version >= 19 { // reconciled lines of a partial group an open line shares are left out
		open := map[string]bool{}
		for _, id := range ids {
			l := lm.recs[id]
			if n := text(l["matching_number"]); !db.lineReconciled(l) && strings.HasPrefix(n, "P") {
				open[n] = true
			}
		}
		kept := ids[:0:0]
		for _, id := range ids {
			l := lm.recs[id]
			if !db.lineReconciled(l) || !open[text(l["matching_number"])] {
				kept = append(kept, id)
			}
		}
		ids = kept
	}
	if len(ids) == 0 {
		return nil
	}
	var accounts []int64
	seen := map[int64]bool{}
	for _, id := range ids {
		if db.lineReconciled(lm.recs[id]) {
			return &Exception{Class: UserError, Message: "You are trying to reconcile some entries that are already reconciled."}
		}
	}
	for _, id := range ids {
		st := db.lineState(lm.recs[id])
		if db.version < 19 && st != "posted" {
			return &Exception{Class: UserError, Message: "You can only reconcile posted entries."}
		}
		if db.version >= 19 && st == "cancel" {
			return &Exception{Class: UserError, Message: "You can not reconcile cancelled entries."}
		}
	}
	for _, id := range ids {
		if a := toInt(lm.recs[id]["account_id"]); !seen[a] {
			seen[a] = true
			accounts = append(accounts, a)
		}
	}
	am := db.models["account.account"]
	if len(accounts) > 1 {
		names := make([]string, len(accounts))
		for i, a := range accounts {
			names[i] = db.accountLabel(a)
		}
		return &Exception{Class: UserError, Message: "Entries are not from the same account: " + strings.Join(names, ", ")}
	}
	if acc := am.recs[accounts[0]]; acc == nil || (acc["reconcile"] != true && acc["account_type"] != "asset_cash" && acc["account_type"] != "liability_credit_card") {
		return &Exception{Class: UserError, Message: fmt.Sprintf("Account %s does not allow reconciliation. First change the configuration of this account to allow it.", db.accountLabel(accounts[0]))}
	}
	db.match(ids)
	return nil
}

// accountLabel is an account's display name: "121000 Account Receivable"
// in 18, "Account Receivable" in 19.
func (db *DB) accountLabel(id int64) string {
	acc := db.models["account.account"].recs[id]
	if acc == nil {
		return ""
	}
	if code := text(acc["code"]); code != "" && db.version < 19 {
		return code + " " + text(acc["name"])
	}
	return text(acc["name"])
}

func (db *DB) lineReconciled(l map[string]any) bool {
	return l != nil && db.reconcilable(l) && lineResidual(l) == 0
}

// match pairs the debit and credit lines, oldest due date first, into
// partials, then numbers the groups.
func (db *DB) match(ids []int64) {
	lm := db.models["account.move.line"]
	var debits, credits []int64
	for _, id := range ids {
		switch r := lineResidual(lm.recs[id]); {
		case r > 0:
			debits = append(debits, id)
		case r < 0:
			credits = append(credits, id)
		}
	}
	order := func(list []int64) {
		sort.SliceStable(list, func(i, j int) bool {
			a, b := lm.recs[list[i]], lm.recs[list[j]]
			da, dbb := dueDate(a), dueDate(b)
			if da != dbb {
				return da < dbb
			}
			return lineBalance(a) < lineBalance(b)
		})
	}
	order(debits)
	order(credits)
	pm := db.models[partialModel]
	for len(debits) > 0 && len(credits) > 0 {
		d, c := lm.recs[debits[0]], lm.recs[credits[0]]
		amount := round(min(lineResidual(d), -lineResidual(c)), 2)
		pid := pm.nextID()
		db.touch(pm, pid)
		pm.put(pid, map[string]any{"debit_move_id": debits[0], "credit_move_id": credits[0], "amount": amount,
			"debit_amount_currency": amount, "credit_amount_currency": amount, "max_date": maxText(text(d["date"]), text(c["date"])),
			"company_id": int64(1), "create_date": now(), "write_date": now()})
		db.addMatched(debits[0], amount)
		db.addMatched(credits[0], -amount)
		if lineResidual(d) == 0 {
			debits = debits[1:]
		}
		if lineResidual(c) == 0 {
			credits = credits[1:]
		}
	}
	db.renumber(ids)
}

func dueDate(l map[string]any) string {
	if d := text(l["date_maturity"]); d != "" {
		return d
	}
	return text(l["date"])
}

func maxText(a, b string) string {
	if a > b {
		return a
	}
	return b
}

func (db *DB) addMatched(line int64, amount float64) {
	lm := db.models["account.move.line"]
	db.touch(lm, line)
	m, _ := num(lm.recs[line][matchedKey])
	lm.recs[line][matchedKey] = round(m+amount, 2)
}

// removePartials deletes partials and gives their amounts back to the
// lines they joined, then numbers what is left of their groups.
func (db *DB) removePartials(ids []int64) {
	pm := db.models[partialModel]
	var lines []int64
	for _, pid := range ids {
		p := pm.recs[pid]
		if p == nil {
			continue
		}
		d, c := toInt(p["debit_move_id"]), toInt(p["credit_move_id"])
		amount, _ := num(p["amount"])
		if db.models["account.move.line"].recs[d] != nil {
			db.addMatched(d, -amount)
			lines = append(lines, d)
		}
		if db.models["account.move.line"].recs[c] != nil {
			db.addMatched(c, amount)
			lines = append(lines, c)
		}
		db.touch(pm, pid)
		pm.remove(pid)
	}
	db.renumber(lines)
}

// partialsOf lists the partials joining any of the lines.
func (db *DB) partialsOf(lines []int64) []int64 {
	want := map[int64]bool{}
	for _, l := range lines {
		want[l] = true
	}
	pm := db.models[partialModel]
	var out []int64
	for _, pid := range pm.ids() {
		p := pm.recs[pid]
		if want[toInt(p["debit_move_id"])] || want[toInt(p["credit_move_id"])] {
			out = append(out, pid)
		}
	}
	return out
}

// renumber gives the groups of reconciled lines the lines belong to their
// matching number and full reconcile, as Odoo's _update_matching_number
// does; lines left in no group lose theirs. It also settles the states of
// the payments whose items changed (19).
func (db *DB) renumber(lines []int64) {
	lm, pm, fm := db.models["account.move.line"], db.models[partialModel], db.models[fullModel]
	// the groups: union of the lines over every partial
	parent := map[int64]int64{}
	var find func(int64) int64
	find = func(x int64) int64 {
		if p, ok := parent[x]; ok && p != x {
			r := find(p)
			parent[x] = r
			return r
		}
		parent[x] = x
		return x
	}
	minPartial := map[int64]int64{}
	pids := pm.ids()
	for _, pid := range pids {
		p := pm.recs[pid]
		a, b := find(toInt(p["debit_move_id"])), find(toInt(p["credit_move_id"]))
		if a != b {
			parent[b] = a
		}
	}
	groupLines := map[int64][]int64{}
	groupParts := map[int64][]int64{}
	for _, pid := range pids {
		p := pm.recs[pid]
		g := find(toInt(p["debit_move_id"]))
		groupParts[g] = append(groupParts[g], pid)
		if m, ok := minPartial[g]; !ok || pid < m {
			minPartial[g] = pid
		}
	}
	for x := range parent {
		groupLines[find(x)] = append(groupLines[find(x)], x)
	}
	touched := map[int64]bool{}
	for _, l := range lines {
		touched[l] = true
	}
	moves := map[int64]bool{}
	for _, l := range lines {
		if rec := lm.recs[l]; rec != nil {
			moves[toInt(rec["move_id"])] = true
		}
		if _, grouped := parent[l]; grouped {
			continue
		}
		db.setMatching(l, "", 0) // no partial left
	}
	for g, members := range groupLines {
		hit := false
		for _, l := range members {
			hit = hit || touched[l]
		}
		if !hit {
			continue
		}
		sort.Slice(members, func(i, j int) bool { return members[i] < members[j] })
		full := true
		for _, l := range members {
			moves[toInt(lm.recs[l]["move_id"])] = true
			full = full && lineResidual(lm.recs[l]) == 0
		}
		fid := toInt(lm.recs[members[0]]["full_reconcile_id"])
		for _, l := range members {
			if f := toInt(lm.recs[l]["full_reconcile_id"]); f != fid {
				fid = 0
			}
		}
		switch {
		case full && fid == 0:
			fid = fm.nextID()
			db.touch(fm, fid)
			fm.put(fid, map[string]any{"create_date": now(), "write_date": now()})
		case !full && fid != 0:
			db.dropFull(fid)
			fid = 0
		}
		number := fmt.Sprintf("P%d", minPartial[g])
		if full {
			number = fmt.Sprint(fid)
		}
		for _, l := range members {
			db.setMatching(l, number, fid)
		}
		for _, pid := range groupParts[g] {
			db.touch(pm, pid)
			pm.recs[pid]["full_reconcile_id"] = nilIfZero(fid)
		}
	}
	db.settlePayments(moves)
}

func nilIfZero(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (db *DB) setMatching(line int64, number string, full int64) {
	lm := db.models["account.move.line"]
	rec := lm.recs[line]
	if rec == nil {
		return
	}
	if old := toInt(rec["full_reconcile_id"]); old != 0 && old != full {
		db.dropFull(old)
	}
	db.touch(lm, line)
	if number == "" {
		rec["matching_number"] = nil
	} else {
		rec["matching_number"] = number
	}
	rec["full_reconcile_id"] = nilIfZero(full)
}

func (db *DB) dropFull(fid int64) {
	fm := db.models[fullModel]
	if fm.recs[fid] != nil {
		db.touch(fm, fid)
		fm.remove(fid)
	}
}

func uniqueIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// removeMoveReconcile is account.move.line remove_move_reconcile().
func (db *DB) removeMoveReconcile(b *bound) (any, error) {
	if err := db.missing(b); err != nil {
		return nil, err
	}
	db.removePartials(db.partialsOf(b.ids))
	return None{}, nil
}

// assignOutstandingLine is account.move js_assign_outstanding_line(line_id):
// the line with the move's open lines on its account.
func (db *DB) assignOutstandingLine(b *bound) (any, error) {
	if len(b.ids) != 1 {
		return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Expected singleton: %s%v", b.m.Name, b.ids)}
	}
	v, _ := b.arg("line_id")
	lid := toInt(v)
	lm := db.models["account.move.line"]
	line := lm.recs[lid]
	if line == nil {
		return nil, &Exception{Class: MissingError, Message: fmt.Sprintf("Record does not exist or has been deleted.\n(Record: account.move.line(%d,), User: %d)", lid, b.UID)}
	}
	ids := []int64{lid}
	for _, id := range db.o2mIDs(b.m, b.ids[0], b.m.Fields["line_ids"]) {
		if l := lm.recs[id]; toInt(l["account_id"]) == toInt(line["account_id"]) && !db.lineReconciled(l) {
			ids = append(ids, id)
		}
	}
	return None{}, db.reconcile(ids)
}

// removeOutstandingPartial is account.move js_remove_outstanding_partial(partial_id).
func (db *DB) removeOutstandingPartial(b *bound) (any, error) {
	v, _ := b.arg("partial_id")
	db.removePartials([]int64{toInt(v)})
	return true, nil
}

// beforeUnlinkPartial gives a partial's amount back before it is deleted.
func (db *DB) beforeUnlinkPartial(id int64) {
	db.removePartials([]int64{id})
}

// dropPartialsOfLine deletes the partials of a journal item about to be
// removed (the sandbox replaces an invoice's payment term line when it
// posts it again).
func (db *DB) dropPartialsOfLine(line int64) {
	if db.models[partialModel] == nil {
		return
	}
	db.removePartials(db.partialsOf([]int64{line}))
}

// invoiceResidual is what the invoice's receivable and payable lines
// still carry, and whether they are reconciled with another entry.
func (db *DB) invoiceResidual(moveID int64) (residual float64, matched bool) {
	mv := db.models["account.move"]
	lm := db.models["account.move.line"]
	for _, lid := range db.o2mIDs(mv, moveID, mv.Fields["line_ids"]) {
		l := lm.recs[lid]
		acc := db.models["account.account"].recs[toInt(l["account_id"])]
		if acc == nil || (acc["account_type"] != "asset_receivable" && acc["account_type"] != "liability_payable") {
			continue
		}
		residual += lineResidual(l)
		if m, _ := num(l[matchedKey]); m != 0 {
			matched = true
		}
	}
	if residual < 0 {
		residual = -residual
	}
	return round(residual, 2), matched
}

// paymentState is an invoice's payment_state.
func (db *DB) paymentState(moveID int64, rec map[string]any, total float64) string {
	if rec["move_type"] == "entry" || rec["move_type"] == nil {
		return "not_paid"
	}
	qualifies := rec["state"] == "posted" || (db.version >= 19 && rec["state"] == "draft" && total != 0)
	if !qualifies {
		return "not_paid"
	}
	residual, matched := db.invoiceResidual(moveID)
	switch {
	case residual == 0 && rec["state"] == "posted":
		return "paid"
	case residual == 0 && matched:
		return "paid"
	case matched:
		return "partial"
	}
	return "not_paid"
}
