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
