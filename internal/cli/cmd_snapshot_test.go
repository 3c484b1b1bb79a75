package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// An "upgrade" that loses a record and changes another is found by
// snapshot before, snapshot after, compare.
func TestSnapshotCompareFindsWhatAnUpgradeChanged(t *testing.T) {
	plan, c := demoTarget(t, 18)
	code, _, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, errs)
	dir := t.TempDir()
	before, after := filepath.Join(dir, "before.json"), filepath.Join(dir, "after.json")
	t.Setenv("FERRY_ODOO_API_KEY", os.Getenv("FERRY_DEMO_API_KEY"))
	code, _, errs = run(t, "snapshot", "-o", before, "--model", "res.partner,product.product", "--fingerprint", "res.partner")
	require.Equal(t, ExitOK, code, errs)

	ctx := context.Background()
	_, gone, err := c.Resolve(ctx, "demo_legacy.customers_P00014")
	require.NoError(t, err)
	require.NoError(t, c.Unlink(ctx, "res.partner", []int64{gone}))
	_, changed, err := c.Resolve(ctx, "demo_legacy.customers_C00007")
	require.NoError(t, err)
	require.NoError(t, c.Write(ctx, "res.partner", []int64{changed}, map[string]any{"street": "Upgraded Street 1"}))

	code, _, errs = run(t, "snapshot", "-o", after, "--model", "res.partner,product.product", "--fingerprint", "res.partner")
	require.Equal(t, ExitOK, code, errs)
	code, out, errs := run(t, "compare", before, after)
	require.Equal(t, ExitDifferences, code, "%s\n%s", out, errs)
	require.Contains(t, out, "res.partner")
	require.Regexp(t, `lost|missing|removed`, out)
	require.Contains(t, out, "street")
}
