package verify

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Built-in accounting controls, run whenever a plan migrates journal
// entries or invoices (account.move):
//   - every migrated entry balances: debit = credit over its lines;
//   - totals per move type and month: the untaxed amount of invoices
//     (sum of quantity × price unit × (1 − discount) over the source's
//     lines, each rounded to the cent, as Odoo rounds line subtotals)
//     against Odoo's amount_untaxed, and the total debit of other entries
//     against their journal items' debit;
//   - the trial balance per account, for entries whose lines carry debit,
//     credit and account.
// A control whose data the user may not read says so (not checked) and
// never passes.

// moveTotals accumulates what the source says of each migrated move.
type moveTotals struct {
	groups  map[string]float64 // "out_invoice 2024-03" → untaxed / debit
	byMove  map[string]string  // move external ID → its group
	balance map[int64]float64  // account id → debit − credit (entries with accounts)
	lines   bool               // some source line carries debit/credit and an account
}

// addMove records a ready account.move row.
func (m *moveTotals) addMove(row *record.Row) {
	if m.groups == nil {
		m.groups, m.byMove, m.balance = map[string]float64{}, map[string]string{}, map[int64]float64{}
	}
	kind, _ := row.Values["move_type"].(string)
	if kind == "" {
		kind = "entry"
	}
	date, _ := row.Values["invoice_date"].(string)
	if d, ok := row.Values["date"].(string); ok && (date == "" || kind == "entry") {
		date = d
	}
	group := kind + " " + month(date)
	m.byMove[row.ExternalID] = group
	for _, lines := range row.Lines {
		for _, l := range lines {
			m.groups[group] += m.lineAmount(kind, l)
		}
	}
	if _, seen := m.groups[group]; !seen {
		m.groups[group] = 0
	}
}

func month(date string) string {
	if len(date) >= 7 {
		return date[:7]
	}
	return "(no date)"
}

// lineAmount is an invoice line's untaxed subtotal, or an entry line's
// debit (also kept per account for the trial balance).
func (m *moveTotals) lineAmount(kind string, l record.Row) float64 {
	num := func(k string) (float64, bool) { v, ok := toFloat(l.Values[k]); return v, ok }
	if kind == "entry" {
		debit, _ := num("debit")
		credit, _ := num("credit")
		if acc := asRef(l.Values["account_id"]); acc.ID != 0 {
			m.balance[acc.ID] += debit - credit
			m.lines = true
		}
		return debit
	}
	q, ok := num("quantity")
	if !ok || l.Values["quantity"] == nil { // not mapped or empty: Odoo's default
		q = 1
	}
	price, _ := num("price_unit")
	disc, _ := num("discount")
	return math.Round(q*price*(1-disc/100)*100) / 100
}

// addAccounting feeds the built-in controls with an account.move row.
func (r *runner) addAccounting(e *pipeline.Entity, o pipeline.Outcome) {
	if e.Pass == 1 && e.Model == "account.move" && o.Row != nil {
		r.moves.addMove(o.Row)
	}
}

// accountingControls evaluates the built-in controls over the migrated
// moves the target holds.
func (r *runner) accountingControls(ctx context.Context) ([]ControlResult, error) {
	if len(r.moves.byMove) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(r.moves.byMove))
	for x := range r.moves.byMove {
		if id := r.ix.byXML[x]; id != 0 {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var out []ControlResult
	for _, c := range []func(context.Context, []int64) (ControlResult, error){r.balancedEntries, r.totalsPerTypeAndMonth, r.trialBalance} {
		res, err := c(ctx, ids)
		if odoo.IsKind(err, odoo.KindAccess) {
			res.Status, res.Reason = NotChecked, "needs read access to journal entries and their lines (account.move, account.move.line): "+firstLine(err.Error())
		} else if err != nil {
			return nil, err
		}
		if res.Name != "" {
			out = append(out, res)
		}
	}
	return out, nil
}

const nameBalanced = "accounting: every migrated entry balances (debit = credit)"

func (r *runner) balancedEntries(ctx context.Context, ids []int64) (ControlResult, error) {
	res := ControlResult{Name: nameBalanced, Status: Match}
	debit, credit := map[int64]float64{}, map[int64]float64{}
	err := r.readLines(ctx, ids, []string{"move_id", "debit", "credit"}, func(l map[string]any) {
		move := firstID(l["move_id"])
		d, _ := toFloat(l["debit"])
		c, _ := toFloat(l["credit"])
		debit[move] += d
		credit[move] += c
	})
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		res.Groups++
		res.Source, res.Target = round9(res.Source+debit[id]), round9(res.Target+credit[id])
		if math.Abs(debit[id]-credit[id]) > centTolerance {
			res.Status = Differ
			res.Diffs = append(res.Diffs, TotalDiff{Group: r.ix.XMLID("account.move", id) + " (debit, credit)",
				Source: round9(debit[id]), Target: round9(credit[id]), Delta: round9(credit[id] - debit[id])})
		}
	}
	return res, nil
}

const nameTotals = "accounting: untaxed totals per move type and month"

func (r *runner) totalsPerTypeAndMonth(ctx context.Context, ids []int64) (ControlResult, error) {
	target := map[string]float64{}
	var entries []int64
	for _, chunk := range chunks(ids, 500) {
		recs, err := r.t.Read(ctx, "account.move", chunk, []string{"move_type", "amount_untaxed"})
		if err != nil {
			return ControlResult{Name: nameTotals}, err
		}
		for _, m := range recs {
			id, _ := toFloat(m["id"])
			if m["move_type"] == "entry" { // its total is its debit (Odoo's amount_total of an entry)
				entries = append(entries, int64(id))
				continue
			}
			v, _ := toFloat(m["amount_untaxed"])
			target[r.moves.byMove[r.ix.XMLID("account.move", int64(id))]] += v
		}
	}
	err := r.readLines(ctx, entries, []string{"move_id", "debit"}, func(l map[string]any) {
		d, _ := toFloat(l["debit"])
		target[r.moves.byMove[r.ix.XMLID("account.move", firstID(l["move_id"]))]] += d
	})
	if err != nil {
		return ControlResult{Name: nameTotals}, err
	}
	source := map[string]float64{}
	for _, id := range ids {
		g := r.moves.byMove[r.ix.XMLID("account.move", id)]
		source[g] = r.moves.groups[g]
	}
	return CompareTotals(nameTotals, source, target, centTolerance), nil
}

const nameTrial = "accounting: trial balance per account (entries with accounts)"

func (r *runner) trialBalance(ctx context.Context, ids []int64) (ControlResult, error) {
	if !r.moves.lines {
		return ControlResult{}, nil
	}
	target := map[int64]float64{}
	err := r.readLines(ctx, ids, []string{"account_id", "debit", "credit", "move_id"}, func(l map[string]any) {
		if !strings.HasPrefix(r.moves.byMove[r.ix.XMLID("account.move", firstID(l["move_id"]))], "entry ") {
			return
		}
		d, _ := toFloat(l["debit"])
		c, _ := toFloat(l["credit"])
		target[firstID(l["account_id"])] += d - c
	})
	if err != nil {
		return ControlResult{Name: nameTrial}, err
	}
	names, err := r.accountNames(ctx, r.moves.balance, target)
	if err != nil {
		return ControlResult{Name: nameTrial}, err
	}
	source, tgt := map[string]float64{}, map[string]float64{}
	for id, v := range r.moves.balance {
		source[names[id]] += v
	}
	for id, v := range target {
		tgt[names[id]] += v
	}
	return CompareTotals(nameTrial, source, tgt, centTolerance), nil
}

// accountNames names accounts by code ("account 600000"), else by id.
func (r *runner) accountNames(ctx context.Context, sets ...map[int64]float64) (map[int64]string, error) {
	out := map[int64]string{}
	var ids []int64
	for _, set := range sets {
		for id := range set {
			if _, seen := out[id]; !seen {
				out[id] = fmt.Sprintf("account id %d", id)
				ids = append(ids, id)
			}
		}
	}
	recs, err := r.t.Read(ctx, "account.account", ids, []string{"code"})
	if err != nil {
		return nil, err
	}
	for _, a := range recs {
		id, _ := toFloat(a["id"])
		if code, ok := a["code"].(string); ok && code != "" {
			out[int64(id)] = "account " + code
		}
	}
	return out, nil
}

// readLines reads the journal items of the moves ids, a page at a time.
func (r *runner) readLines(ctx context.Context, ids []int64, fields []string, fn func(map[string]any)) error {
	for _, chunk := range chunks(ids, 500) {
		dom := odoo.Domain{[]any{"move_id", "in", idsAny(chunk)}}
		err := r.t.Each(ctx, "account.move.line", dom, fields, 2000, func(l map[string]any) error { fn(l); return nil })
		if err != nil {
			return err
		}
	}
	return nil
}

func chunks(ids []int64, n int) [][]int64 {
	var out [][]int64
	for len(ids) > n {
		out, ids = append(out, ids[:n]), ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

func idsAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func firstID(v any) int64 {
	if ids := gotIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return 0
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

// centTolerance accepts rounding noise below half a cent: a difference of
// one cent is a difference.
const centTolerance = 0.005
