package cli

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/testutil"
)

func scratchDB(t *testing.T) string {
	admin, err := testutil.Ping("pgx", testutil.PostgresURL())
	if err != nil {
		testutil.Unavailable(t, "PostgreSQL", err)
		return ""
	}
	name := testutil.UniqueName("ferry_cli_bk")
	_, err = admin.Exec("CREATE DATABASE " + name)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); admin.Close() })
	u, _ := url.Parse(testutil.PostgresURL())
	u.Path = "/" + name
	return u.String()
}

func TestBackupCreateListVerifyRestoreTest(t *testing.T) {
	src := scratchDB(t)
	if src == "" {
		return
	}
	db, err := testutil.Ping("pgx", src)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE res_partner (id serial PRIMARY KEY, name text); INSERT INTO res_partner (name) SELECT 'p' || g FROM generate_series(1, 99) g")
	require.NoError(t, err)
	db.Close()
	t.Setenv("ODOO_DB_DSN", src)
	t.Setenv("SCRATCH_DSN", scratchDB(t))
	t.Setenv("FERRY_BACKUP_PASSPHRASE", "a long enough passphrase")
	to := t.TempDir()

	code, out, errs := run(t, "backup", "create", "--dsn-env", "ODOO_DB_DSN", "--to", to)
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "1 table(s), 99 row(s)")
	require.Contains(t, out, "verified")
	require.NotContains(t, out+errs, src)
	entries, err := os.ReadDir(to)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	dir := filepath.Join(to, entries[0].Name())

	code, out, _ = run(t, "backup", "list", "--to", to)
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, entries[0].Name())
	code, out, errs = run(t, "backup", "verify", dir, "--scratch-dsn-env", "SCRATCH_DSN")
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "every table has the row count it had at backup time")

	t.Setenv("FERRY_BACKUP_PASSPHRASE", "the wrong passphrase")
	code, _, errs = run(t, "backup", "verify", dir)
	require.Equal(t, ExitIntegrity, code)
	require.Contains(t, errs, "cannot decrypt")

	t.Setenv("FERRY_BACKUP_PASSPHRASE", "")
	code, _, errs = run(t, "backup", "create", "--dsn-env", "ODOO_DB_DSN", "--to", to)
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "always encrypted")
}

// A run backs the target's database up and verifies the backup before it
// loads, and the audit entry names the backup.
func TestRunTakesAndVerifiesABackupFirst(t *testing.T) {
	src := scratchDB(t)
	if src == "" {
		return
	}
	plan, _ := demoTarget(t, 18)
	t.Setenv("ODOO_DB_DSN", src) // stands for the Odoo database behind the sandbox
	t.Setenv("FERRY_BACKUP_PASSPHRASE", "a long enough passphrase")
	to := t.TempDir()
	code, out, errs := run(t, "run", plan, "--backup-dsn-env", "ODOO_DB_DSN", "--backup-to", to)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Contains(t, out, "verified")
	entries, err := os.ReadDir(to)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(plan), ".ferry", "audit.jsonl"))
	require.NoError(t, err)
	require.Contains(t, string(b), `"backup":"`+filepath.Join(to, entries[0].Name())+`"`)
}
