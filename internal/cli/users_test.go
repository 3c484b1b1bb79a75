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

// Users arrive without anyone receiving an invitation, and a plan that
// maps a password is refused.
func TestUsersAreLoadedWithoutInvitations(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{Version: 18, AdminKey: "users-key"})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "users.csv"), []byte("login,name\nann@example.com,Ann\nbob@example.com,Bob\n"), 0o644))
	plan := func(extra string) string {
		p := filepath.Join(dir, "plan.yaml")
		require.NoError(t, os.WriteFile(p, []byte(fmt.Sprintf(`version: 1
name: users
namespace: legacy_users
target: {url: %s, database: %s, login: admin, api_key: {env: USERS_KEY}, environment: test}
backup: none
sources:
  legacy: {kind: csv, path: data}
entities:
  - name: users
    model: res.users
    from: {source: legacy, file: users.csv}
    key: login
    fields:
      login: row.login
      name: row.name
%s`, sb.URL, sb.Database(), extra)), 0o644))
		return p
	}
	t.Setenv("USERS_KEY", "users-key")
	code, out, errs := run(t, "run", plan("      password: '\"secret\"'\n"))
	require.Equal(t, ExitUsage, code, out)
	require.Contains(t, errs, "VAL321")

	code, out, errs = run(t, "run", plan(""))
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Regexp(t, `users\s+res.users\s+2\s+2\s+0\s+0\s+0\s+holds`, out)
	require.Empty(t, sb.DB().Invitations(), "nobody was invited")

	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New("users-key")})
	require.NoError(t, err)
	_, err = c.Create(context.Background(), "res.users", []map[string]any{{"login": "cara@example.com", "name": "Cara"}})
	require.NoError(t, err)
	require.Equal(t, []string{"cara@example.com"}, sb.DB().Invitations(), "Odoo invites a user created without no_reset_password")
}
