package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const companyPlan = `  - name: entries
    model: account.move
    company: My Company
    from: {source: legacy, file: entries.csv}
    key: no
    fields:
      ref: row.no
      date: row.date
      journal_id: lookup("account.journal", "code", row.journal)
`

// An entity names its company: a lookup that finds a journal of another
// company is a finding (VAL323) and the row does not load; an unknown
// company stops the run before anything is written.
func TestEntityCompanyIsCheckedAgainstItsReferences(t *testing.T) {
	plan, _, c := sandboxPlan(t, "companies", map[string]string{
		"entries.csv": "no,date,journal\nE1,2024-01-15,MISC\nE2,2024-01-16,BRMISC\n"}, companyPlan)
	ctx := context.Background()
	partner, err := c.Create(ctx, "res.partner", []map[string]any{{"name": "Branch", "is_company": true}})
	require.NoError(t, err)
	branch, err := c.Create(ctx, "res.company", []map[string]any{{"name": "Branch", "partner_id": partner[0], "currency_id": 1}})
	require.NoError(t, err)
	_, err = c.Create(ctx, "account.journal", []map[string]any{{"name": "Branch Misc", "code": "BRMISC", "type": "general", "company_id": branch[0]}})
	require.NoError(t, err)

	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Regexp(t, `entries\s+account.move\s+2\s+1\s+0\s+1\s+0\s+holds`, out)
	q, err := os.ReadFile(filepath.Join(filepath.Dir(plan), ".ferry", "quarantine", "entries.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), "VAL323")
	require.Contains(t, string(q), `account.journal ""BRMISC""`)

	require.NoError(t, c.Write(ctx, "res.company", branch, map[string]any{"name": "My Company"}))
	code, _, errs = run(t, "run", plan)
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, `entity entries: company "My Company": 2 companies have this name: give its external ID`)
}
