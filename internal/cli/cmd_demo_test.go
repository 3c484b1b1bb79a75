package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
)

func TestDemoLoadsVerifiesAndReports(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "demo", "--dir", dir)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.NotContains(t, out, "BROKEN")
	require.Contains(t, out, "after load invoices.action_post: 870 done, 0 failed")
	require.Contains(t, out, `control "accounting: receivables per partner at 2023-12-31 (opening)": match over 40 group(s), source 176767.75, target 176767.75`)
	require.Contains(t, out, `control "accounting: trial balance per account at 2023-12-31 (opening)": match over 7 group(s)`)
	var rep struct {
		Result   string `json:"result"`
		Entities []struct {
			Name    string `json:"name"`
			Records struct{ Match, Differ, Missing, Extra int }
			Counts  struct{ Read, Loaded, Quarantined, Skipped int64 }
		} `json:"entities"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	require.Equal(t, "ok", rep.Result)
	for _, e := range rep.Entities {
		require.Zero(t, e.Records.Differ+e.Records.Missing+e.Records.Extra, e.Name)
		require.Equal(t, e.Counts.Read, e.Counts.Loaded+e.Counts.Quarantined+e.Counts.Skipped, e.Name)
	}
	for _, f := range []string{"report.html", "report.md", "quarantine/customers.csv"} {
		require.FileExists(t, filepath.Join(dir, f))
	}
}

// demoTarget starts a sandbox with the demo's files and points the
// environment at it.
func demoTarget(t *testing.T, version int) (string, *odoo.Client) {
	dir := t.TempDir()
	require.NoError(t, writeDemoFiles(dir))
	sb, err := sandbox.New(sandbox.Options{Version: version})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	t.Setenv("FERRY_ODOO_URL", sb.URL)
	t.Setenv("FERRY_ODOO_DB", sb.Database())
	t.Setenv("FERRY_ODOO_LOGIN", "admin")
	t.Setenv("FERRY_DEMO_API_KEY", sb.AdminKey())
	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New(sb.AdminKey())})
	require.NoError(t, err)
	ids, err := c.Search(context.Background(), "res.currency", odoo.Domain{[]any{"name", "in", []any{"EUR", "CHF"}}, []any{"active", "=", false}}, odoo.Page{})
	require.NoError(t, err)
	require.NoError(t, c.Write(context.Background(), "res.currency", ids, map[string]any{"active": true}))
	langs, err := c.Search(context.Background(), "res.lang", odoo.Domain{[]any{"code", "=", "fr_BE"}, []any{"active", "=", false}}, odoo.Page{})
	require.NoError(t, err)
	require.NoError(t, c.Write(context.Background(), "res.lang", langs, map[string]any{"active": true})) // the catalogue's translations
	return filepath.Join(dir, "plan.yaml"), c
}

func TestRunThenVerifyFindsATamperedRecord(t *testing.T) {
	plan, c := demoTarget(t, 18) // the demo plan is written for Odoo 18 (uom_po_id is gone in 19)
	code, out, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs) // the demo data has rows that cannot load
	require.Regexp(t, `report: .*reports/run-r\d{8}T\d{6}Z-[0-9a-f]+/report.html`, out)
	code, out, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)

	ctx := context.Background()
	_, id, err := c.Resolve(ctx, "demo_legacy.customers_C00007")
	require.NoError(t, err)
	require.NoError(t, c.Write(ctx, "res.partner", []int64{id}, map[string]any{"city": "Nowhere"}))
	_, mid, err := c.Resolve(ctx, "demo_legacy.invoices_INV-2F2024-2F0002")
	require.NoError(t, err)
	require.NoError(t, c.Write(ctx, "account.move", []int64{mid}, map[string]any{"state": "draft"}))
	require.NoError(t, c.Unlink(ctx, "account.move", []int64{mid}))
	// one cent more on one line of invoice 0001 (12 × 15.56): the control total catches it
	_, lid, err := c.Resolve(ctx, "demo_legacy.invoices_INV-2F2024-2F0001_10")
	require.NoError(t, err)
	require.NoError(t, c.Write(ctx, "account.move.line", []int64{lid}, map[string]any{"quantity": 12.0, "price_unit": 15.5608333}))
	// a record under the plan's namespace that no source row claims
	extra, err := c.Load(ctx, "res.partner", []string{"id", "name"}, [][]string{{"demo_legacy.customers_ZZ999", "Nobody Knows"}}, nil)
	require.NoError(t, err)
	require.False(t, extra.RolledBack)
	code, out, errs = run(t, "verify", plan, "--show", "100")
	require.Equal(t, ExitDifferences, code, "%s\n%s", out, errs)
	require.Contains(t, out, "extra demo_legacy.customers_ZZ999")
	require.Contains(t, out, "differ demo_legacy.customers_C00007")
	require.Contains(t, out, `city: want "Madrid", got "Nowhere"`)
	require.Contains(t, out, "missing demo_legacy.invoices_INV-2F2024-2F0002 ")
	require.Contains(t, out, `control "invoiced per customer": 2 of 409 group(s) differ`)
	require.Regexp(t, `C\d+: source [0-9.]+, target [0-9.]+, delta \+0\.01\n`, out)
}

func TestPingAndSchemaAgainstTheSandbox(t *testing.T) {
	_, _ = demoTarget(t, 19)
	t.Setenv("FERRY_ODOO_API_KEY", os.Getenv("FERRY_DEMO_API_KEY"))
	code, out, errs := run(t, "ping", "--model", "res.partner", "--field", "name,email")
	require.Equal(t, ExitOK, code, errs)
	for _, want := range []string{"server             19.0", "protocol           json2", "tls                no", "read yes, write yes, create yes, unlink yes", "no refusal"} {
		require.Contains(t, out, want)
	}
	code, out, errs = run(t, "--json", "schema", "res.partner")
	require.Equal(t, ExitOK, code, errs)
	var models map[string]map[string]map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &models))
	require.Equal(t, "many2one", models["res.partner"]["country_id"]["type"])
	snap := filepath.Join(t.TempDir(), "schema.json")
	code, _, errs = run(t, "schema", "snapshot", "-o", snap, "res.partner", "res.country")
	require.Equal(t, ExitOK, code, errs)
	require.FileExists(t, snap)
}

func TestPingWrongKeyIsAnErrorWithoutTheKey(t *testing.T) {
	_, _ = demoTarget(t, 19)
	t.Setenv("FERRY_ODOO_API_KEY", "wrong-key-1234")
	code, _, errs := run(t, "ping")
	require.Equal(t, ExitInternal, code)
	require.Contains(t, errs, "Invalid apikey")
	require.NotContains(t, errs, "wrong-key-1234")
}

func TestPingRefusesPlainHTTPOutsideLoopback(t *testing.T) {
	t.Setenv("FERRY_ODOO_URL", "http://erp.example.com")
	t.Setenv("FERRY_ODOO_DB", "x")
	t.Setenv("FERRY_ODOO_LOGIN", "x")
	t.Setenv("FERRY_ODOO_PASSWORD", "secret-pw")
	code, _, errs := run(t, "ping")
	require.NotEqual(t, ExitOK, code)
	require.Contains(t, errs, "refusing plain HTTP to erp.example.com")
	require.NotContains(t, errs, "secret-pw")
}

func TestPingPlanProbesEveryEntityAndWritesNothing(t *testing.T) {
	plan, c := demoTarget(t, 18)
	before, err := c.SearchCount(context.Background(), "res.partner", nil)
	require.NoError(t, err)
	code, out, errs := run(t, "ping", "--plan", plan)
	require.Equal(t, ExitOK, code, errs)
	for _, e := range []string{"product.category (categories)", "res.partner (customers)", "product.product (products)", "account.move (invoices)"} {
		require.Contains(t, out, "model "+e)
	}
	require.Contains(t, out, "left empty (their rows are not in the target yet): partner_id\n")
	after, err := c.SearchCount(context.Background(), "res.partner", nil)
	require.NoError(t, err)
	require.Equal(t, before, after, "the probe is rolled back")
}
