package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/testutil"
)

// A full disk is an error that says so; nothing half-written is left
// behind as if it were complete.
func TestFullDiskIsAClearError(t *testing.T) {
	dir := testutil.FullDisk(t, 32<<10)
	if dir == "" {
		return
	}
	demo := t.TempDir()
	require.NoError(t, writeDemoFiles(demo))
	code, _, errs := run(t, "validate", filepath.Join(demo, "plan.yaml"), "--quarantine", dir)
	require.Equal(t, ExitInternal, code)
	require.Contains(t, errs, "no space left on device")

	src := scratchDB(t)
	if src == "" {
		return
	}
	db, err := testutil.Ping("pgx", src)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE big (id serial PRIMARY KEY, pad text); INSERT INTO big (pad) SELECT (SELECT string_agg(md5(random()::text || g::text || h::text), '') FROM generate_series(1, 20) h) FROM generate_series(1, 2000) g")
	require.NoError(t, err)
	db.Close()
	t.Setenv("ODOO_DB_DSN", src)
	t.Setenv("FERRY_BACKUP_PASSPHRASE", "a long enough passphrase")
	full := testutil.FullDisk(t, 64<<10)
	code, _, errs = run(t, "--state-dir", t.TempDir(), "backup", "create", "--dsn-env", "ODOO_DB_DSN", "--to", full)
	require.Equal(t, ExitInternal, code)
	require.Contains(t, errs, "no space left on device")
	entries, err := os.ReadDir(full)
	require.NoError(t, err)
	require.Empty(t, entries, "a failed backup leaves nothing that could pass for one")
}
