package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A rehearsal loads into a sandbox built from the target's schema
// snapshot, with the currencies and languages active that the snapshot
// found active, writes nothing to the target, and keeps its state apart.
func TestRunRehearseUsesTheTargetsSchemaAndLeavesTheTargetAlone(t *testing.T) {
	plan, c := demoTarget(t, 18)
	snap := filepath.Join(t.TempDir(), "target-schema.json")
	t.Setenv("FERRY_ODOO_API_KEY", os.Getenv("FERRY_DEMO_API_KEY"))
	code, _, errs := run(t, "schema", "snapshot", "-o", snap)
	require.Equal(t, ExitOK, code, errs)
	before, err := c.SearchCount(t.Context(), "res.partner", nil)
	require.NoError(t, err)

	code, out, errs := run(t, "run", plan, "--rehearse", "--schema", snap)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Contains(t, errs, "rehearsal: loading into a sandbox answering as Odoo 18")
	require.Regexp(t, `customers\s+res.partner\s+1469\s+\d+\s+0\s+\d+\s+18\s+holds`, out)
	// the snapshot lists the target's active currencies (EUR and CHF, set up by the demo's
	// target): the rehearsal activates them, so the invoices load as they will in the target
	b, err := os.ReadFile(snap)
	require.NoError(t, err)
	require.Contains(t, string(b), `"res.currency": [`)
	require.Regexp(t, `invoices\s+account.move\s+901\s+870\s+0\s+31\s+0\s+holds`, out)
	after, err := c.SearchCount(t.Context(), "res.partner", nil)
	require.NoError(t, err)
	require.Equal(t, before, after, "a rehearsal writes nothing to the target")
	require.FileExists(t, filepath.Join(filepath.Dir(plan), ".ferry", "rehearsal", "ledger.db"))
	require.NoFileExists(t, filepath.Join(filepath.Dir(plan), ".ferry", "ledger.db"))

	code, _, errs = run(t, "run", plan, "--rehearse")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "needs the target's schema snapshot")
}
