package cli

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// Users arrive without anyone receiving an invitation, and a plan that
// maps a password is refused.
func TestUsersAreLoadedWithoutInvitations(t *testing.T) {
	const users = `  - name: users
    model: res.users
    unmasked: [login, name] # synthetic test data
    from: {source: legacy, file: users.csv}
    key: login
    fields:
      login: row.login
      name: row.name
`
	plan, sb, c := sandboxPlan(t, "users", map[string]string{"users.csv": "login,name\nann@example.com,Ann\nbob@example.com,Bob\n"},
		users+"      password: '\"secret\"'\n")
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitUsage, code, out)
	require.Contains(t, errs, "VAL321")

	b, err := os.ReadFile(plan)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(plan, b[:len(b)-len("      password: '\"secret\"'\n")], 0o644))
	code, out, errs = run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Regexp(t, `users\s+res.users\s+2\s+2\s+0\s+0\s+0\s+holds`, out)
	require.Contains(t, out, "users with administration rights (Settings): 0 of the 2 users the plan loaded")
	require.Empty(t, sb.DB().Invitations(), "nobody was invited")

	_, err = c.Create(context.Background(), "res.users", []map[string]any{{"login": "cara@example.com", "name": "Cara"}})
	require.NoError(t, err)
	require.Equal(t, []string{"cara@example.com"}, sb.DB().Invitations(), "Odoo invites a user created without no_reset_password")
}

// The summary names the loaded users who got administration rights.
func TestRunSummaryCountsAdministrators(t *testing.T) {
	const users = `  - name: users
    model: res.users
    unmasked: [login, name] # synthetic test data
    from: {source: legacy, file: users.csv}
    key: login
    fields:
      login: row.login
      name: row.name
      groups_id: lookups("res.groups", "name", split(row.groups, "|"))
`
	plan, _, _ := sandboxPlan(t, "admins", map[string]string{"users.csv": "login,name,groups\nann@example.com,Ann,Internal User\nbob@example.com,Bob,Internal User|Settings\n"}, users)
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "users with administration rights (Settings): 1 of the 2 users the plan loaded: bob@example.com")
}
