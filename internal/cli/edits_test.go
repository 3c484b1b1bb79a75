package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A record someone changed in Odoo after a run wrote it is not
// overwritten by the next run: its row is quarantined as
// changed_in_target, naming the field, both values and the way to
// overwrite; --overwrite-target-edits overwrites it.
func TestRunDoesNotOverwriteEditsMadeInOdoo(t *testing.T) {
	plan, c := demoTarget(t, 18)
	code, out, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	ctx := context.Background()
	_, id, err := c.Resolve(ctx, "demo_legacy.customers_C00007")
	require.NoError(t, err)
	require.NoError(t, c.Write(ctx, "res.partner", []int64{id}, map[string]any{"city": "Edited In Odoo"}))

	csv := filepath.Join(filepath.Dir(plan), "data", "customers.csv")
	b, err := os.ReadFile(csv)
	require.NoError(t, err)
	changed := strings.Replace(string(b), "+33 82 205 8014", "+33 82 205 9999", 1) // C00007's phone: the row is sent again
	changed = strings.Replace(changed, "+30 37 090 0493", "+30 37 090 1111", 1)    // C00001's too, not edited in Odoo
	changed = strings.Replace(changed, "+31 57 091 4018", "+31 57 091 2222", 1)    // a contact's, whose address Odoo syncs from C00001
	require.NoError(t, os.WriteFile(csv, []byte(changed), 0o644))

	code, out, errs = run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	q, err := os.ReadFile(filepath.Join(filepath.Dir(plan), ".ferry", "quarantine", "customers.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), "LOAD406")
	require.Contains(t, string(q), `city: Ferry wrote ""Madrid"", Odoo now holds ""Edited In Odoo""`) // CSV doubles the quotes
	recs, err := c.Read(ctx, "res.partner", []int64{id}, []string{"city", "phone"})
	require.NoError(t, err)
	require.Equal(t, "Edited In Odoo", recs[0]["city"], "the edit made in Odoo stays")
	require.Equal(t, "+33 82 205 8014", recs[0]["phone"], "the row was not sent")
	_, id1, err := c.Resolve(ctx, "demo_legacy.customers_C00001")
	require.NoError(t, err)
	recs, err = c.Read(ctx, "res.partner", []int64{id1}, []string{"phone"})
	require.NoError(t, err)
	require.Equal(t, "+30 37 090 1111", recs[0]["phone"], "rows nobody edited in Odoo are updated")
	_, idc, err := c.Resolve(ctx, "demo_legacy.customers_P00001")
	require.NoError(t, err)
	recs, err = c.Read(ctx, "res.partner", []int64{idc}, []string{"phone"})
	require.NoError(t, err)
	require.Equal(t, "+31 57 091 2222", recs[0]["phone"], "what Odoo syncs from the parent company is not an edit")

	code, out, errs = run(t, "run", plan, "--backup", "none", "--overwrite-target-edits")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	recs, err = c.Read(ctx, "res.partner", []int64{id}, []string{"city", "phone"})
	require.NoError(t, err)
	require.Equal(t, "Madrid", recs[0]["city"])
	require.Equal(t, "+33 82 205 9999", recs[0]["phone"])
}
