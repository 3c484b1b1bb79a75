package cli

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

const entriesPlan = `  - name: entries
    model: account.move
    from: {source: legacy, file: entries.csv}
    key: no
    fields:
      date: row.date
      ref: row.no
      journal_id: lookup("account.journal", "code", "MISC")
    lines:
      - field: line_ids
        from: {source: legacy, file: entry_lines.csv}
        join: no
        line_key: line
        fields:
          name: row.label
          account_id: lookup("account.account", "code", row.account)
          debit: parse_number(row.debit)
          credit: parse_number(row.credit)
`

// Journal entries are checked by the built-in accounting controls: each
// balances, totals per type and month, and the trial balance per account
// equal the source's; an entry unbalanced in Odoo and an amount off by a
// cent are each found.
func TestBuiltInAccountingControls(t *testing.T) {
	plan, _, c := sandboxPlan(t, "entries", map[string]string{
		"entries.csv": "no,date\nE1,2024-01-15\nE2,2024-01-20\nE3,2024-02-03\n",
		"entry_lines.csv": "no,line,label,account,debit,credit\n" +
			"E1,1,Rent,600000,1200.00,0\nE1,2,Bank,101401,0,1200.00\n" +
			"E2,1,Fees,600000,99.99,0\nE2,2,Bank,101401,0,99.99\n" +
			"E3,1,Rent,600000,1200.00,0\nE3,2,Bank,101401,0,1200.00\n",
	}, entriesPlan)
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	code, out, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, `control "accounting: every migrated entry balances (debit = credit)": match over 3 group(s), source 2499.99, target 2499.99`)
	require.Contains(t, out, `control "accounting: untaxed totals per move type and month": match over 2 group(s), source 2499.99, target 2499.99`)
	require.Contains(t, out, `control "accounting: trial balance per account (entries with accounts)": match over 2 group(s)`)

	ctx := context.Background()
	_, e2, err := c.Resolve(ctx, "legacy_entries.entries_E2")
	require.NoError(t, err)
	lines, err := c.SearchRead(ctx, "account.move.line", odoo.Domain{[]any{"move_id", "=", e2}, []any{"debit", ">", 0}}, []string{"id"}, odoo.Page{})
	require.NoError(t, err)
	require.Len(t, lines, 1)
	id, _ := lines[0]["id"].(int64)
	require.NoError(t, c.Write(ctx, "account.move.line", []int64{id}, map[string]any{"debit": 99.98})) // a cent lost
	code, out, _ = run(t, "verify", plan)
	require.Equal(t, ExitDifferences, code, out)
	require.Contains(t, out, `control "accounting: every migrated entry balances (debit = credit)": 1 of 3 group(s) differ`)
	require.Contains(t, out, "legacy_entries.entries_E2 (debit, credit): source 99.98, target 99.99")
	require.Contains(t, out, `control "accounting: untaxed totals per move type and month": 1 of 2 group(s) differ`)
	require.Contains(t, out, "entry 2024-01: source 1299.99, target 1299.98, delta -0.01")
	require.Contains(t, out, `control "accounting: trial balance per account (entries with accounts)": 1 of 2 group(s) differ`)
	require.Contains(t, out, "account 600000: source 2499.99, target 2499.98, delta -0.01")
}

const openingPlan = `  - name: partners
    model: res.partner
    from: {source: legacy, file: partners.csv}
    key: no
    unmasked: [name]
    fields:
      name: row.name
      is_company: "true"
  - name: open_items
    model: account.move
    from: {source: legacy, file: open_items.csv}
    key: no
    allow_readonly: [move_type]
    after_load: action_post
    fields:
      move_type: row.kind
      partner_id: ref("partners", row.partner)
      invoice_date: '"2023-12-31"'
      ref: row.no
    lines:
      - field: invoice_line_ids
        from: {source: legacy, file: open_items.csv}
        join: no
        line_key: no
        fields:
          name: row.no
          account_id: lookup("account.account", "code", "999999")
          price_unit: parse_number(row.residual)
  - name: opening
    model: account.move
    from: {source: legacy, file: opening.csv}
    key: entry
    after_load: action_post
    fields:
      date: '"2023-12-31"'
      journal_id: lookup("account.journal", "code", "MISC")
    lines:
      - field: line_ids
        from: {source: legacy, file: trial_balance.csv}
        join: entry
        line_key: account
        fields:
          account_id: 'lookup("account.account", "code", row.account in ["121000", "211000"] ? "999999" : row.account)'
          debit: max(parse_number(row.balance), 0)
          credit: max(-parse_number(row.balance), 0)
accounting:
  strategy: opening
  cutoff: 2023-12-31
  receivable: {from: {source: legacy, file: open_items.csv}, where: 'row.kind == "out_invoice"', partner: partner, partners: partners, amount: residual}
  payable: {from: {source: legacy, file: payables.csv}, partner: partner, partners: partners, amount: open}
  trial_balance: {from: {source: legacy, file: trial_balance.csv}, account: account, balance: balance}
`

// Open items and opening balances at a cut-off (strategy opening): after
// the load, verify finds receivables and payables per partner and the
// trial balance equal to the source's to the cent; a cent lost on one
// customer's open item is found in both.
func TestOpeningBalancesAtCutOff(t *testing.T) {
	plan, _, c := sandboxPlan(t, "opening", map[string]string{
		"partners.csv": "no,name\nP1,Alpen AG\nP2,Nordlicht SAS\nS1,Kobalt GmbH\n",
		"open_items.csv": "no,kind,partner,residual\nINV-1,out_invoice,P1,1200.50\nINV-2,out_invoice,P1,99.99\n" +
			"INV-3,out_invoice,P2,310.00\nBILL-1,in_invoice,S1,455.25\n",
		"payables.csv":      "partner,open\nS1,455.25\n",
		"opening.csv":       "entry\nOPEN\n",
		"trial_balance.csv": "entry,account,balance\nOPEN,101401,5000.00\nOPEN,121000,1610.49\nOPEN,211000,-455.25\nOPEN,301000,-6155.24\n",
	}, openingPlan)
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	code, out, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, `control "accounting: receivables per partner at 2023-12-31 (opening)": match over 2 group(s), source 1610.49, target 1610.49`)
	require.Contains(t, out, `control "accounting: payables per partner at 2023-12-31 (opening)": match over 1 group(s), source 455.25, target 455.25`)
	require.Contains(t, out, `control "accounting: trial balance per account at 2023-12-31 (opening)": match over 5 group(s)`)

	// A cent lost on P1's first open item, in Odoo.
	ctx := context.Background()
	_, inv, err := c.Resolve(ctx, "legacy_opening.open_items_INV--1")
	require.NoError(t, err)
	lines, err := c.SearchRead(ctx, "account.move.line", odoo.Domain{[]any{"move_id", "=", inv}, []any{"display_type", "=", "payment_term"}}, []string{"id", "debit"}, odoo.Page{})
	require.NoError(t, err)
	require.Len(t, lines, 1)
	id, _ := lines[0]["id"].(int64)
	require.NoError(t, c.Write(ctx, "account.move.line", []int64{id}, map[string]any{"debit": 1200.49}))
	code, out, _ = run(t, "verify", plan)
	require.Equal(t, ExitDifferences, code, out)
	require.Contains(t, out, `control "accounting: receivables per partner at 2023-12-31 (opening)": 1 of 2 group(s) differ`)
	require.Contains(t, out, "P1: source 1300.49, target 1300.48, delta -0.01")
	require.Contains(t, out, `control "accounting: trial balance per account at 2023-12-31 (opening)": 1 of 5 group(s) differ`)
	require.Contains(t, out, "121000: source 1610.49, target 1610.48, delta -0.01")
}
