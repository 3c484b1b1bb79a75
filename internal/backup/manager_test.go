package backup

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source/remote"
	"github.com/ferry-migrate/ferry/internal/sshconn/sshtest"
)

func managerSandbox(t *testing.T, m sandbox.Manager) *sandbox.Server {
	sb, err := sandbox.New(sandbox.Options{Manager: m})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	return sb
}

func managerPageSays(t *testing.T, sb *sandbox.Server, text string) bool {
	resp, err := http.Get(sb.URL + "/web/database/manager")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return strings.Contains(string(b), text)
}

// Odoo's database manager is refused where it is disabled, absent or
// unprotected (posting there would set the master password, so nothing is
// posted), reports a wrong master password with Odoo's own message, and
// with the right one gives a backup that verifies and restores: the
// database table for table and the filestore file for file.
func TestIntegrationBackupThroughOdoosDatabaseManager(t *testing.T) {
	_, newDB := fixture(t)
	if newDB == nil {
		return
	}
	keys := x25519(t)
	store := dest.Local{Dir: t.TempDir()}
	create := func(sb *sandbox.Server, pwd string) (*Manifest, error) {
		src := Source{Manager: &ManagerSource{URL: sb.URL, Database: sb.Database(), MasterPassword: secret.New(pwd)}}
		return Create(context.Background(), src, []dest.Store{store}, keys, time.Now())
	}

	_, err := create(managerSandbox(t, sandbox.Manager{}), "x")
	require.ErrorContains(t, err, "is not reachable")
	_, err = create(managerSandbox(t, sandbox.Manager{Serve: true}), "x")
	require.ErrorContains(t, err, "is disabled")
	open := managerSandbox(t, sandbox.Manager{Serve: true, ListDB: true})
	_, err = create(open, "would-become-the-master-password")
	require.ErrorContains(t, err, "has no master password: Ferry does not post one")
	require.True(t, managerPageSays(t, open, "not protected"), "nothing was posted: the manager is still without a master password")

	files := map[string][]byte{"3a/3a5f0c9e1b": []byte("invoice scan"), "c4/c41e0b99aa": []byte("logo \x00\x01")}
	sb := managerSandbox(t, sandbox.Manager{Serve: true, ListDB: true, MasterPassword: "m4ster-pw", Filestore: files})
	_, err = create(sb, "wrong")
	require.ErrorContains(t, err, "refused the backup of sandbox: Database backup error: Access Denied")
	require.NotContains(t, err.Error(), "wrong")

	m, err := create(sb, "m4ster-pw")
	require.NoError(t, err)
	p, ok := m.Part(KindManagerZip)
	require.True(t, ok)
	require.Equal(t, ManagerPart, p.Name)
	_, err = Verify(context.Background(), store, m.ID, keys)
	require.NoError(t, err)
	diffs, err := RestoreTest(context.Background(), store, m.ID, keys, newDB())
	require.NoError(t, err)
	require.Empty(t, diffs)
	out := filepath.Join(t.TempDir(), "filestore")
	_, err = Restore(context.Background(), store, m.ID, keys, Target{DSN: newDB(), Filestore: out})
	require.NoError(t, err)
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
}

func TestCopyRowsCountsEachTable(t *testing.T) {
	dump := "SET x;\nCOPY public.res_partner (id, name) FROM stdin;\n1\ta\n2\tb\n\\.\n\nCOPY public.empty (id) FROM stdin;\n\\.\n"
	got, err := copyRows(strings.NewReader(dump))
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"public.res_partner": 2, "public.empty": 0}, got)
}

// A filestore on the Odoo server is read over SFTP, streamed into the
// backup, and restores file for file.
func TestIntegrationFilestoreOverSFTP(t *testing.T) {
	dsn, newDB := fixture(t)
	if newDB == nil {
		return
	}
	srv := sshtest.Start(t)
	if srv == nil {
		return
	}
	files := filestore(t)
	require.NoError(t, os.CopyFS(filepath.Join(srv.Dir, "filestore"), os.DirFS(files)))
	conn, err := remote.OpenSFTP(context.Background(), srv.Config())
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	keys := x25519(t)
	store := dest.Local{Dir: t.TempDir()}
	src := Source{DSN: dsn, Filestore: "sftp://" + srv.Addr + "/filestore", FilestoreFS: RemoteDir{FS: conn, Root: filepath.Join(srv.Dir, "filestore")}}
	m, err := Create(context.Background(), src, []dest.Store{store}, keys, time.Now())
	require.NoError(t, err)
	fsPart, ok := m.Part(KindFilestore)
	require.True(t, ok)
	require.Equal(t, 6, fsPart.Entries)
	out := filepath.Join(t.TempDir(), "filestore")
	_, err = Restore(context.Background(), store, m.ID, keys, Target{DSN: newDB(), Filestore: out})
	require.NoError(t, err)
	requireSameTree(t, files, out)
}
