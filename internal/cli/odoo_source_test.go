package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// A plan reading an old Odoo (a sandbox answering as 19) through a kind:
// odoo source loads its tags and partners into a new one (a sandbox
// answering as 18): relations arrive as external IDs the plan's ref() and
// refs() resolve, verify finds no difference, a second run changes nothing.
func TestRunFromAnotherOdoo(t *testing.T) {
	ctx := context.Background()
	oldSB, err := sandbox.New(sandbox.Options{Version: 19})
	require.NoError(t, err)
	t.Cleanup(func() { oldSB.Close() })
	newSB, err := sandbox.New(sandbox.Options{Version: 18})
	require.NoError(t, err)
	t.Cleanup(func() { newSB.Close() })

	old, err := odoo.Dial(ctx, odoo.Config{URL: oldSB.URL, Database: oldSB.Database(), Login: "admin", APIKey: secret.New(oldSB.AdminKey())})
	require.NoError(t, err)
	create := func(model string, vals map[string]any) int64 {
		ids, err := old.Create(ctx, model, []map[string]any{vals})
		require.NoError(t, err)
		return ids[0]
	}
	vip := create("res.partner.category", map[string]any{"name": "VIP"})
	lapsed := create("res.partner.category", map[string]any{"name": "Lapsed", "active": false})
	co := create("res.partner", map[string]any{"name": "Old Co", "is_company": true, "category_id": []any{[]any{6, 0, []any{vip, lapsed}}}})
	create("res.partner", map[string]any{"name": "Old Jane", "parent_id": co, "email": "jane@example.com", "category_id": []any{[]any{6, 0, []any{vip}}}})
	create("res.partner", map[string]any{"name": "Old Archived", "parent_id": co, "active": false})

	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	require.NoError(t, os.WriteFile(plan, []byte(fmt.Sprintf(`version: 1
name: odoo-upgrade
namespace: upgrade_old
target: {url: %s, database: %s, login: admin, api_key: {env: NEW_ODOO_KEY}, environment: test}
backup: none
sources:
  old: {kind: odoo, url: %s, database: %s, login: admin, api_key: {env: OLD_ODOO_KEY}}
entities:
  - name: tags
    model: res.partner.category
    from: {source: old, table: res.partner.category, fields: [name, active]}
    key: xmlid
    fields:
      name: row.name
      active: row.active
  - name: partners
    model: res.partner
    unmasked: [name, email] # synthetic test data
    from: {source: old, table: res.partner, domain: [[name, "=like", "Old %%"]], fields: [name, email, is_company, active, parent_id, category_id]}
    key: xmlid
    fields:
      name: row.name
      email: row.email
      is_company: row.is_company
      active: row.active
      parent_id: ref("partners", row.parent_id)
      category_id: refs("tags", row.category_id)
`, newSB.URL, newSB.Database(), oldSB.URL, oldSB.Database())), 0o644))
	t.Setenv("OLD_ODOO_KEY", oldSB.AdminKey())
	t.Setenv("NEW_ODOO_KEY", newSB.AdminKey())
	state := t.TempDir()

	code, out, errs := run(t, "--state-dir", state, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Regexp(t, `tags\s+res.partner.category\s+2\s+2\s+0\s+0\s+0\s+holds`, out)
	require.Regexp(t, `partners\s+res.partner\s+3\s+3\s+0\s+0\s+0\s+holds`, out)
	require.NotContains(t, out+errs, oldSB.AdminKey())
	code, out, errs = run(t, "--state-dir", state, "verify", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)

	c, err := odoo.Dial(ctx, odoo.Config{URL: newSB.URL, Database: newSB.Database(), Login: "admin", APIKey: secret.New(newSB.AdminKey())})
	require.NoError(t, err)
	xmlid := func(entity, model string, id int64) string {
		return fmt.Sprintf("upgrade_old.%s_upgrade_old.%s_%d", entity, model, id)
	}
	_, newCo, err := c.Resolve(ctx, xmlid("partners", "res_partner", co))
	require.NoError(t, err)
	_, newVIP, err := c.Resolve(ctx, xmlid("tags", "res_partner_category", vip))
	require.NoError(t, err)
	_, newLapsed, err := c.Resolve(ctx, xmlid("tags", "res_partner_category", lapsed))
	require.NoError(t, err)
	recs, err := c.SearchRead(ctx, "res.partner", odoo.Domain{[]any{"name", "=like", "Old %"}, []any{"active", "in", []any{true, false}}},
		[]string{"name", "email", "parent_id", "category_id", "active"}, odoo.Page{Order: "name"})
	require.NoError(t, err)
	require.Len(t, recs, 3)
	byName := map[string]map[string]any{}
	for _, r := range recs {
		byName[r["name"].(string)] = r
	}
	require.Equal(t, []any{newVIP, newLapsed}, byName["Old Co"]["category_id"])
	require.Equal(t, newCo, byName["Old Jane"]["parent_id"].([]any)[0])
	require.Equal(t, []any{newVIP}, byName["Old Jane"]["category_id"])
	require.Equal(t, "jane@example.com", byName["Old Jane"]["email"])
	require.Equal(t, false, byName["Old Archived"]["active"], "archived records are read and stay archived")
	require.Equal(t, newCo, byName["Old Archived"]["parent_id"].([]any)[0])

	code, out, errs = run(t, "--state-dir", state, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Regexp(t, `partners\s+res.partner\s+3\s+0\s+3\s+0\s+0\s+holds`, out, "the second run finds the loaded rows unchanged")
}
