package cli

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/backup/dest/desttest"
	"github.com/ferry-migrate/ferry/internal/sandbox"
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
	stateTmp := t.TempDir()
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

	code, out, errs := run(t, "--state-dir", stateTmp, "backup", "create", "--dsn-env", "ODOO_DB_DSN", "--to", to)
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "1 part(s), 1 table(s), 99 row(s)")
	require.Contains(t, out, "every copy verified (1)")
	require.NotContains(t, out+errs, src)
	entries, err := os.ReadDir(to)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	dir := filepath.Join(to, entries[0].Name())

	code, out, _ = run(t, "--state-dir", stateTmp, "backup", "list", "--to", to)
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, entries[0].Name())
	code, out, errs = run(t, "--state-dir", stateTmp, "backup", "verify", dir, "--scratch-dsn-env", "SCRATCH_DSN")
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "every table has the row count it had at backup time")

	t.Setenv("FERRY_BACKUP_PASSPHRASE", "the wrong passphrase")
	code, _, errs = run(t, "--state-dir", stateTmp, "backup", "verify", dir)
	require.Equal(t, ExitIntegrity, code)
	require.Contains(t, errs, "decrypt")

	t.Setenv("FERRY_BACKUP_PASSPHRASE", "")
	code, _, errs = run(t, "--state-dir", stateTmp, "backup", "create", "--dsn-env", "ODOO_DB_DSN", "--to", to)
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "always encrypted")

	// Every backup action is in the audit log, the failed verify too.
	log, err := os.ReadFile(filepath.Join(stateTmp, "audit.jsonl"))
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(log), `"action":"backup create"`))
	require.Equal(t, 1, strings.Count(string(log), `"action":"backup verify","result":"ok"`))
	require.Equal(t, 1, strings.Count(string(log), `"action":"backup verify","result":"failed"`))
}

// One backup of the database and its filestore goes to a local directory
// and an SFTP server at once, with a signed manifest; each copy lists,
// verifies against the signer's public key, and restores file for file.
func TestBackupToSeveralStoresWithFilestoreAndSignature(t *testing.T) {
	stateTmp := t.TempDir()
	src := scratchDB(t)
	if src == "" {
		return
	}
	sftp := desttest.SFTPServer(t)
	if sftp.Addr == "" {
		return
	}
	tmp := t.TempDir()
	keyFile := filepath.Join(tmp, "id_ed25519")
	require.NoError(t, os.WriteFile(keyFile, []byte(sftp.Key.Reveal()), 0o600))
	sftpURL := "sftp://" + sftp.User + "@" + sftp.Addr + sftp.Dir
	storeArgs := []string{"--known-hosts", sftp.KnownHosts, "--sftp-key", keyFile}
	files := filepath.Join(tmp, "filestore")
	require.NoError(t, os.MkdirAll(filepath.Join(files, "3a"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(files, "3a", "3a5f0c9e1b"), []byte("invoice scan"), 0o600))
	code, _, errs := run(t, "audit", "keygen", "-o", filepath.Join(tmp, "audit.key"))
	require.Equal(t, ExitOK, code, errs)
	t.Setenv("FERRY_AUDIT_KEY", filepath.Join(tmp, "audit.key"))
	t.Setenv("ODOO_DB_DSN", src)
	t.Setenv("FERRY_BACKUP_PASSPHRASE", "a long enough passphrase")
	local := filepath.Join(tmp, "backups")

	args := append([]string{"--state-dir", stateTmp, "backup", "create", "--dsn-env", "ODOO_DB_DSN", "--filestore", files, "--to", local, "--to", sftpURL}, storeArgs...)
	code, out, errs := run(t, args...)
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "2 part(s)")
	require.Contains(t, out, "manifest signed")
	require.Contains(t, out, "every copy verified (2)")
	entries, err := os.ReadDir(local)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	id := entries[0].Name()

	code, out, errs = run(t, append([]string{"--state-dir", stateTmp, "backup", "list", "--to", local, "--to", sftpURL}, storeArgs...)...)
	require.Equal(t, ExitOK, code, errs)
	require.Equal(t, 2, strings.Count(out, id), out)

	code, out, errs = run(t, append([]string{"--state-dir", stateTmp, "backup", "verify", id, "--to", local, "--to", sftpURL, "--signed-by", filepath.Join(tmp, "audit.key.pub")}, storeArgs...)...)
	require.Equal(t, ExitOK, code, errs)
	require.Equal(t, 2, strings.Count(out, "every digest matches, manifest signed"), out)

	// a wrong id is a usage error; a copy missing from one store, an integrity error
	code, _, errs = run(t, append([]string{"--state-dir", stateTmp, "backup", "verify", "b20000101T000000Z", "--to", local, "--to", sftpURL}, storeArgs...)...)
	require.Equal(t, ExitUsage, code, errs)
	require.Contains(t, errs, "no backup b20000101T000000Z in ")
	other := t.TempDir()
	code, _, errs = run(t, append([]string{"--state-dir", stateTmp, "backup", "verify", id, "--to", local, "--to", other}, storeArgs...)...)
	require.Equal(t, ExitIntegrity, code, errs)
	require.Contains(t, errs, "is missing from "+other+" (the other copies verify)")

	t.Setenv("RESTORE_DSN", scratchDB(t))
	restored := filepath.Join(tmp, "restored")
	code, out, errs = run(t, append([]string{"--state-dir", stateTmp, "backup", "restore", id, "--from", sftpURL, "--dsn-env", "RESTORE_DSN", "--filestore", restored}, storeArgs...)...)
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "filestore in "+restored)
	b, err := os.ReadFile(filepath.Join(restored, "3a", "3a5f0c9e1b"))
	require.NoError(t, err)
	require.Equal(t, "invoice scan", string(b))

	// The filestore can be read from the Odoo server over SFTP.
	args = append([]string{"--state-dir", stateTmp, "backup", "create", "--dsn-env", "ODOO_DB_DSN", "--filestore",
		"sftp://" + sftp.User + "@" + sftp.Addr + files, "--to", filepath.Join(tmp, "remote-fs")}, storeArgs...)
	code, out, errs = run(t, args...)
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "2 part(s)")

	// A manifest signed by another key is refused.
	code, _, errs = run(t, "audit", "keygen", "-o", filepath.Join(tmp, "other.key"))
	require.Equal(t, ExitOK, code, errs)
	code, _, errs = run(t, "--state-dir", stateTmp, "backup", "verify", id, "--to", local, "--signed-by", filepath.Join(tmp, "other.key.pub"))
	require.Equal(t, ExitIntegrity, code, errs)
	require.Contains(t, errs, "signature")
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

// The opt-in path through Odoo's database manager: a backup that verifies
// and restores, and a clear refusal where the manager has no master
// password.
func TestBackupThroughTheDatabaseManager(t *testing.T) {
	scratch := scratchDB(t)
	if scratch == "" {
		return
	}
	sb, err := sandbox.New(sandbox.Options{Manager: sandbox.Manager{Serve: true, ListDB: true, MasterPassword: "s3cret-master-pw"}})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	t.Setenv("ODOO_MASTER", "s3cret-master-pw")
	t.Setenv("SCRATCH_DSN", scratch)
	t.Setenv("FERRY_BACKUP_PASSPHRASE", "a long enough passphrase")
	to := t.TempDir()
	code, out, errs := run(t, "--state-dir", t.TempDir(), "backup", "create", "--manager-url", sb.URL, "--manager-db", sb.Database(),
		"--master-password-env", "ODOO_MASTER", "--to", to)
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "every copy verified (1)")
	require.NotContains(t, out+errs, "s3cret-master-pw")
	entries, err := os.ReadDir(to)
	require.NoError(t, err)
	code, out, errs = run(t, "--state-dir", t.TempDir(), "backup", "verify", filepath.Join(to, entries[0].Name()), "--scratch-dsn-env", "SCRATCH_DSN")
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "every table has the row count it had at backup time")

	open, err := sandbox.New(sandbox.Options{Manager: sandbox.Manager{Serve: true, ListDB: true}})
	require.NoError(t, err)
	t.Cleanup(func() { open.Close() })
	code, _, errs = run(t, "--state-dir", t.TempDir(), "backup", "create", "--manager-url", open.URL, "--manager-db", open.Database(),
		"--master-password-env", "ODOO_MASTER", "--to", to)
	require.Equal(t, ExitUsage, code, "a manager Ferry will not post to is a configuration error")
	require.Contains(t, errs, "has no master password: Ferry does not post one")

	t.Setenv("ODOO_MASTER", "not-the-master-pw")
	code, _, errs = run(t, "--state-dir", t.TempDir(), "backup", "create", "--manager-url", sb.URL, "--manager-db", sb.Database(),
		"--master-password-env", "ODOO_MASTER", "--to", to)
	require.Equal(t, ExitUsage, code, errs)
	require.Contains(t, errs, "Database backup error: Access Denied")
}
