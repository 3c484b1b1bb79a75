package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// With --state the ledger lives in PostgreSQL: a run, an incremental run
// that finds everything unchanged, verify and rollback's plan all read it,
// and no ledger.db is written beside the plan.
func TestRunWithAPostgresLedger(t *testing.T) {
	state := scratchDB(t)
	if state == "" {
		return
	}
	plan, _ := demoTarget(t, 18)
	code, out, errs := run(t, "--state", state, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	code, out, errs = run(t, "--state", state, "rollback", plan, "--dry-run")
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "invoices delete ×870")
	code, out, errs = run(t, "--state", state, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Regexp(t, `customers\s+res.partner\s+1469\s+0\s+1418`, out, "the second run finds every loaded row unchanged")
	code, out, errs = run(t, "--state", state, "verify", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	_, err := os.Stat(filepath.Join(filepath.Dir(plan), ".ferry", "ledger.db"))
	require.True(t, os.IsNotExist(err), "no SQLite ledger")

	code, _, errs = run(t, "--state", "postgres://ferry:pw@127.0.0.1/x", "run", plan, "--backup", "none")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "PGPASSWORD")
}
