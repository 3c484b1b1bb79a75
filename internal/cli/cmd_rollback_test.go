package cli

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// A run that creates records, updates one that existed before it, and
// posts invoices is undone record for record.
func TestRollbackUndoesCreatedUpdatedAndPosted(t *testing.T) {
	plan, c := demoTarget(t, 18)
	ctx := context.Background()
	pre, err := c.Load(ctx, "res.partner", []string{"id", "name", "city"}, [][]string{{"demo_legacy.customers_C00001", "Before The Run", "Old Town"}}, nil)
	require.NoError(t, err)
	require.False(t, pre.RolledBack)
	partners, err := c.SearchCount(ctx, "res.partner", nil)
	require.NoError(t, err)
	moves, err := c.SearchCount(ctx, "account.move", nil)
	require.NoError(t, err)

	code, out, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	recs, err := c.Read(ctx, "res.partner", pre.IDs, []string{"name"})
	require.NoError(t, err)
	require.NotEqual(t, "Before The Run", recs[0]["name"], "the run updates the existing record")

	code, out, errs = run(t, "rollback", plan, "--dry-run")
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "invoices delete ×870")
	require.Contains(t, out, "customers restore ×1")
	require.Contains(t, out, "(reset to draft first)")
	n, err := c.SearchCount(ctx, "account.move", nil)
	require.NoError(t, err)
	require.Equal(t, moves+870+40+1, n, "a dry run changes nothing (invoices, open items, the opening entry)")

	code, out, errs = run(t, "rollback", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "0 refused")
	n, err = c.SearchCount(ctx, "res.partner", nil)
	require.NoError(t, err)
	require.Equal(t, partners, n)
	n, err = c.SearchCount(ctx, "account.move", nil)
	require.NoError(t, err)
	require.Equal(t, moves, n)
	lines, err := c.SearchCount(ctx, "account.move.line", nil)
	require.NoError(t, err)
	require.Zero(t, lines)
	recs, err = c.Read(ctx, "res.partner", pre.IDs, []string{"name", "city"})
	require.NoError(t, err)
	require.Equal(t, "Before The Run", recs[0]["name"])
	require.Equal(t, "Old Town", recs[0]["city"])
	xml, err := c.SearchCount(ctx, "ir.model.data", odoo.Domain{[]any{"module", "=", "demo_legacy"}})
	require.NoError(t, err)
	require.Equal(t, int64(1), xml, "only the external ID that existed before the run remains")

	code, _, errs = run(t, "rollback", plan)
	require.Equal(t, ExitUsage, code, "a rolled-back run is not rolled back twice: %s", errs)
}

// A record someone changed in Odoo after the run wrote it is not undone
// without --force: rollback names the field and both values.
func TestRollbackRefusesRecordsChangedSinceTheRun(t *testing.T) {
	plan, c := demoTarget(t, 18)
	ctx := context.Background()
	code, out, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	_, id, err := c.Resolve(ctx, "demo_legacy.customers_C00001")
	require.NoError(t, err)
	require.NoError(t, c.Write(ctx, "res.partner", []int64{id}, map[string]any{"email": "new@customer.example"}))

	code, out, errs = run(t, "rollback", plan)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Contains(t, out, "1 refused")
	require.Contains(t, out, `email: the run wrote "info@brixenfjord1.example", Odoo now holds "new@customer.example"`)
	n, err := c.SearchCount(ctx, "res.partner", odoo.Domain{[]any{"id", "=", id}})
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "the edited record stays")

	// what the stopped rollback did is remembered: the dry run lists only the rest
	code, out, errs = run(t, "rollback", plan, "--dry-run")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Regexp(t, `\(\d+ action\(s\) an earlier rollback of this run carried out before it stopped are done and not listed\)`, out)
	require.Contains(t, out, "would:\n  (", "the done actions are counted first")
	require.Contains(t, out, "not listed)\n  customers delete ×1\n", "only the refused record is left")
	require.Contains(t, out, "delete demo_legacy.customers_C00001 res.partner id")

	code, out, errs = run(t, "rollback", plan, "--force")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	n, err = c.SearchCount(ctx, "res.partner", odoo.Domain{[]any{"id", "=", id}})
	require.NoError(t, err)
	require.Zero(t, n)
}
