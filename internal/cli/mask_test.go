package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// A plan that masks personal data loads fakes, never the originals, and
// the same value always gets the same fake.
func TestRunMasksPersonalDataForATestTarget(t *testing.T) {
	plan, c := demoTarget(t, 18)
	b, err := os.ReadFile(plan)
	require.NoError(t, err)
	masked := strings.Replace(string(b), "    key: cust_no\n", "    key: cust_no\n    mask: {email: email, phone: phone, name: person_name}\n", 1)
	require.NotEqual(t, string(b), masked)
	require.NoError(t, os.WriteFile(plan, []byte(masked), 0o644))

	code, _, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "set FERRY_MASK_KEY")

	t.Setenv("FERRY_MASK_KEY", "a-test-masking-key-0123")
	code, out, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	ctx := context.Background()
	_, id, err := c.Resolve(ctx, "demo_legacy.customers_C00007")
	require.NoError(t, err)
	recs, err := c.Read(ctx, "res.partner", []int64{id}, []string{"name", "email", "phone"})
	require.NoError(t, err)
	require.Regexp(t, `^user-[0-9a-f]{10}@example\.com$`, recs[0]["email"])
	require.NotEqual(t, "Alpen Fjord SAS", recs[0]["name"])
	require.NotEqual(t, "+33 82 205 8014", recs[0]["phone"])
	require.Regexp(t, `^\+\d\d \d\d \d{3} \d{4}$`, recs[0]["phone"], "the phone keeps its shape")
	data, err := os.ReadFile(filepath.Join(filepath.Dir(plan), "data", "customers.csv"))
	require.NoError(t, err)
	n, err := c.SearchCount(ctx, "res.partner", nil)
	require.NoError(t, err)
	require.Positive(t, n)
	for _, original := range []string{"info@alpenfjord7.example", "Alpen Fjord SAS"} {
		require.Contains(t, string(data), original)
		found, err := c.Search(ctx, "res.partner", odoo.Domain{"|", []any{"email", "=", original}, []any{"name", "=", original}}, odoo.Page{})
		require.NoError(t, err)
		require.Empty(t, found, "%s reached the target", original)
	}
}
