package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const historyPlan = `  - name: partners
    model: res.partner
    from: {source: legacy, file: partners.csv}
    key: no
    unmasked: [name]
    fields:
      name: row.name
      is_company: "true"
  - name: invoices
    model: account.move
    from: {source: legacy, file: invoices.csv}
    key: no
    allow_readonly: [move_type]
    after_load: action_post
    fields:
      move_type: row.kind
      partner_id: ref("partners", row.partner)
      invoice_date: row.date
      ref: row.no
    lines:
      - field: invoice_line_ids
        from: {source: legacy, file: invoices.csv}
        join: no
        line_key: no
        fields:
          name: row.no
          account_id: 'lookup("account.account", "code", row.kind == "out_invoice" ? "400000" : "600000")'
          price_unit: parse_number(row.total)
  - name: payments
    model: account.payment
    from: {source: legacy, file: payments.csv}
    key: no
    after_load: action_post
    fields:
      payment_type: 'row.side == "customer" ? "inbound" : "outbound"'
      partner_type: row.side
      partner_id: ref("partners", row.partner)
      amount: parse_number(row.amount)
      date: row.date
      journal_id: lookup("account.journal", "code", "BNK1")
      memo: row.invoice
%s
accounting:
  strategy: full_history
  cutoff: 2023-12-31
  receivable: {from: {source: legacy, file: open.csv}, where: 'row.side == "customer"', partner: partner, partners: partners, amount: open}
  payable: {from: {source: legacy, file: open.csv}, where: 'row.side == "supplier"', partner: partner, partners: partners, amount: open}
  trial_balance: {from: {source: legacy, file: trial_balance.csv}, account: account, balance: balance}
`

const reconcileWith = `    reconcile: {with: 'ref("invoices", row.invoice)'}`

// The legacy books of 2023: four invoices and two bills, paid in full
// (INV-1, BILL-1), in part (INV-2: 110 of 310) or not at all (INV-3,
// BILL-2); PAY-4 is a customer's payment the legacy system linked to a
// vendor bill, which Odoo refuses to reconcile.
var historyFiles = map[string]string{
	"partners.csv": "no,name\nP1,Alpen AG\nP2,Nordlicht SAS\nS1,Kobalt GmbH\n",
	"invoices.csv": "no,kind,partner,date,total\nINV-1,out_invoice,P1,2023-03-01,1000.00\nINV-2,out_invoice,P2,2023-04-01,310.00\n" +
		"INV-3,out_invoice,P1,2023-05-01,99.99\nBILL-1,in_invoice,S1,2023-03-10,455.25\nBILL-2,in_invoice,S1,2023-06-10,200.00\n",
	"payments.csv": "no,side,partner,date,amount,invoice\nPAY-1,customer,P1,2023-03-20,1000.00,INV-1\nPAY-2,customer,P2,2023-04-20,110.00,INV-2\n" +
		"PAY-3,supplier,S1,2023-03-30,455.25,BILL-1\nPAY-4,customer,P1,2023-06-01,50.00,BILL-2\n",
	// what the legacy system says is open at the cut-off, per partner
	"open.csv":          "side,partner,open\ncustomer,P1,49.99\ncustomer,P2,200.00\nsupplier,S1,200.00\n",
	"trial_balance.csv": "account,balance\n400000,-1409.99\n600000,655.25\n121000,249.99\n211000,-200.00\n101403,1160.00\n101404,-455.25\n",
}

// Accounting in full history: invoices and bills posted, payments posted
// and reconciled with them — one in full, one in part — then verify finds
// receivables and payables per partner and the trial balance equal to the
// source's at the cut-off, to the cent, and Odoo's invoices carry the right
// residual and payment state. A payment whose reconciliation Odoo refuses
// is reported with Odoo's reason, stays loaded, and is tried again by the
// next run, which leaves the reconciled ones alone.
func TestPaymentsAreReconciledWithTheirInvoices(t *testing.T) {
	plan, _, c := sandboxPlan(t, "history", historyFiles, fmt.Sprintf(historyPlan, reconcileWith))
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Contains(t, out, "after load payments.action_post: 4 done, 0 failed")
	require.Contains(t, out, "reconcile payments: 3 done, 0 unchanged, 1 failed")
	require.Contains(t, out, "not reconciled legacy_history.payments_PAY--4: Entries are not from the same account: 121000 Account Receivable, 211000 Account Payable")
	q, err := os.ReadFile(filepath.Join(filepath.Dir(plan), ".ferry", "quarantine", "payments.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), "LOAD410")
	require.Contains(t, string(q), "Entries are not from the same account")

	ctx := context.Background()
	invoice := func(key string) map[string]any {
		t.Helper()
		_, id, err := c.Resolve(ctx, "legacy_history.invoices_"+key)
		require.NoError(t, err)
		recs, err := c.Read(ctx, "account.move", []int64{id}, []string{"state", "payment_state", "amount_residual"})
		require.NoError(t, err)
		return recs[0]
	}
	for key, want := range map[string][2]any{
		"INV--1": {"paid", 0.0}, "INV--2": {"partial", 200.0}, "INV--3": {"not_paid", 99.99},
		"BILL--1": {"paid", 0.0}, "BILL--2": {"not_paid", 200.0},
	} {
		inv := invoice(key)
		require.Equal(t, "posted", inv["state"], key)
		require.Equal(t, want[0], inv["payment_state"], key)
		require.Equal(t, want[1], inv["amount_residual"], key)
	}

	code, out, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, `control "accounting: receivables per partner at 2023-12-31 (full_history)": match over 2 group(s), source 249.99, target 249.99`)
	require.Contains(t, out, `control "accounting: payables per partner at 2023-12-31 (full_history)": match over 1 group(s), source 200.00, target 200.00`)
	require.Contains(t, out, `control "accounting: trial balance per account at 2023-12-31 (full_history)": match over 6 group(s)`)

	// the next run reconciles nothing twice and tries PAY-4 again
	code, out, errs = run(t, "run", plan)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Contains(t, out, "reconcile payments: 0 done, 3 unchanged, 1 failed")
	require.Equal(t, "partial", invoice("INV--2")["payment_state"])
	require.Equal(t, 200.0, invoice("INV--2")["amount_residual"])
}
