package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/testutil"
	"github.com/ferry-migrate/ferry/internal/verify/fastpath/fastpathtest"
)

// The demo is loaded into the sandbox, one customer is edited there, and
// the sandbox's records are copied into an Odoo-shaped database: verify
// with --odoo-dsn-env compares customers and categories in that database,
// products and invoices over RPC (with the reason), and reaches the same
// verdicts as verify over RPC alone.
func TestIntegrationVerifyFastPath(t *testing.T) {
	testutil.Integration(t)
	plan, c := demoTarget(t, 18)
	code, out, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	ctx := context.Background()
	_, id, err := c.Resolve(ctx, "demo_legacy.customers_C00007")
	require.NoError(t, err)
	require.NoError(t, c.Write(ctx, "res.partner", []int64{id}, map[string]any{"city": "Nowhere"}))

	db := fastpathtest.NewDB(t)
	require.NoError(t, fastpathtest.Mirror(ctx, c, db.Conn, "ir.model.data", "product.category", "res.partner", "product.template", "product.product"))
	t.Setenv("FERRY_TEST_VERIFY_DSN", db.DSN)
	code, fast, errs := run(t, "verify", plan, "--odoo-dsn-env", "FERRY_TEST_VERIFY_DSN", "--show", "100")
	require.Equal(t, ExitDifferences, code, "%s\n%s", fast, errs)
	require.Contains(t, fast, "differ demo_legacy.customers_C00007")
	require.Contains(t, fast, `city: want "Madrid", got "Nowhere"`)
	require.Regexp(t, `path customers: res.partner, \d+ row\(s\) in the database\n`, fast)
	require.Regexp(t, `path categories: product.category, \d+ row\(s\) in the database\n`, fast)
	require.Contains(t, fast, "row(s) over RPC (field standard_price is company-dependent)")
	require.Contains(t, fast, "path invoices: account.move, ")
	require.Contains(t, fast, "over RPC (no table account_move in the database)")

	code, slow, errs := run(t, "verify", plan, "--show", "100")
	require.Equal(t, ExitDifferences, code, "%s\n%s", slow, errs)
	require.Equal(t, verdicts(slow), verdicts(fast))
	require.NotContains(t, slow, "path ")

	t.Setenv("FERRY_TEST_VERIFY_DSN", "")
	code, _, errs = run(t, "verify", plan, "--odoo-dsn-env", "FERRY_TEST_VERIFY_DSN")
	require.Equal(t, ExitUsage, code, errs)
	require.Contains(t, errs, "--odoo-dsn-env FERRY_TEST_VERIFY_DSN: the variable is empty or not set")

	t.Setenv("FERRY_TEST_VERIFY_DSN", "postgres://reader:s3cret-pw@127.0.0.1:1/odoo?connect_timeout=2")
	code, out, errs = run(t, "verify", plan, "--odoo-dsn-env", "FERRY_TEST_VERIFY_DSN")
	require.Equal(t, ExitInternal, code, errs)
	require.Contains(t, errs, "--odoo-dsn-env FERRY_TEST_VERIFY_DSN: fastpath: connect to the database")
	require.NotContains(t, out+errs, "s3cret-pw")
}

// verdicts keeps the per-entity table and the listed records of verify's
// output, without the report path and the path lines.
func verdicts(out string) []string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "path ") || strings.HasPrefix(l, "reports: ") {
			continue
		}
		keep = append(keep, l)
	}
	return keep
}
