package backup

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/backup/dest/desttest"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// fixture creates a uniquely named database with two tables (dropped when
// the test ends) and returns its DSN and a function that makes another,
// empty one.
func fixture(t *testing.T) (secret.String, func() secret.String) {
	admin, err := testutil.Ping("pgx", testutil.PostgresURL())
	if err != nil {
		testutil.Unavailable(t, "PostgreSQL", err)
		return secret.String{}, nil
	}
	t.Cleanup(func() { admin.Close() })
	newDB := func() secret.String {
		name := testutil.UniqueName("ferry_bk")
		_, err := admin.Exec("CREATE DATABASE " + name)
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
		u, _ := url.Parse(testutil.PostgresURL())
		u.Path = "/" + name
		return secret.New(u.String())
	}
	dsn := newDB()
	db, err := sql.Open("pgx", dsn.Reveal())
	require.NoError(t, err)
	defer db.Close()
	for _, q := range []string{
		"CREATE TABLE res_partner (id serial PRIMARY KEY, name text NOT NULL)",
		"INSERT INTO res_partner (name) SELECT 'partner ' || g FROM generate_series(1, 250) g",
		"CREATE TABLE account_move (id serial PRIMARY KEY, amount numeric(12,2))",
		"INSERT INTO account_move (amount) SELECT g * 1.5 FROM generate_series(1, 40) g",
		// Odoo's actions: ir_act_window inherits ir_actions, which holds no row of its own
		"CREATE TABLE ir_actions (id serial PRIMARY KEY, name text)",
		"CREATE TABLE ir_act_window (res_model text) INHERITS (ir_actions)",
		"INSERT INTO ir_act_window (name, res_model) VALUES ('Contacts', 'res.partner'), ('Invoices', 'account.move')",
	} {
		_, err := db.Exec(q)
		require.NoError(t, err)
	}
	return dsn, newDB
}

// filestore makes a small Odoo-like filestore: two-letter directories of
// content-addressed files.
func filestore(t *testing.T) string {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"3a/3a5f0c9e1b": "invoice scan",
		"3a/3a77d1e2f0": "contract",
		"c4/c41e0b99aa": "logo bytes \x00\x01\x02",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "empty"), 0o700))
	return dir
}

func x25519(t testing.TB) Keys {
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	return Keys{Recipients: []age.Recipient{id.Recipient()}, Identities: []age.Identity{id}}
}

// stores are the three kinds of store, each empty; SFTP is left out when
// sshd is missing outside CI.
func stores(t *testing.T) map[string]dest.Store {
	out := map[string]dest.Store{"local": dest.Local{Dir: t.TempDir()}, "s3": desttest.OpenS3(t)}
	t.Logf("S3 server: %s", desttest.S3ServerName)
	if _, err := os.Stat(desttest.SSHD); err == nil || testutil.Required() {
		out["sftp"] = desttest.OpenSFTP(t)
	} else {
		t.Logf("SFTP left out: %s is missing (apt-get install openssh-server)", desttest.SSHD)
	}
	return out
}

func storeList(m map[string]dest.Store) []dest.Store {
	var out []dest.Store
	for _, s := range m {
		out = append(out, s)
	}
	return out
}

// A backup written to a local directory, SFTP and S3 at once verifies and
// restores from each copy: database row for row, filestore file for file.
func TestIntegrationRoundTripThroughEveryStore(t *testing.T) {
	dsn, newDB := fixture(t)
	files := filestore(t)
	all := stores(t)
	for name, keys := range map[string]Keys{"x25519": x25519(t), "passphrase": {Passphrase: secret.New("correct horse battery staple")}} {
		t.Run(name, func(t *testing.T) {
			m, err := Create(context.Background(), Source{DSN: dsn, Filestore: files}, storeList(all), keys, time.Now())
			require.NoError(t, err)
			require.Equal(t, int64(250), m.Tables["public.res_partner"])
			require.Equal(t, int64(40), m.Tables["public.account_move"])
			require.Equal(t, int64(0), m.Tables["public.ir_actions"], "a table's own rows, as its dump holds them")
			require.Equal(t, int64(2), m.Tables["public.ir_act_window"])
			fs, ok := m.Part(KindFilestore)
			require.True(t, ok)
			require.Equal(t, 6, fs.Entries, "3 directories and 3 files")
			for sname, s := range all {
				t.Run(sname, func(t *testing.T) {
					_, err := Verify(context.Background(), s, m.ID, keys)
					require.NoError(t, err)
					diffs, err := RestoreTest(context.Background(), s, m.ID, keys, newDB())
					require.NoError(t, err)
					require.Empty(t, diffs)
					out := filepath.Join(t.TempDir(), "filestore")
					_, err = Restore(context.Background(), s, m.ID, keys, Target{DSN: newDB(), Filestore: out})
					require.NoError(t, err)
					requireSameTree(t, files, out)
				})
			}
			require.NoError(t, removeAll(all, m.ID))
		})
	}
}

func removeAll(all map[string]dest.Store, id string) error {
	for _, s := range all {
		if err := s.Remove(context.Background(), id); err != nil {
			return err
		}
	}
	return nil
}

func requireSameTree(t *testing.T, want, got string) {
	t.Helper()
	read := func(root string) map[string]string {
		out := map[string]string{}
		require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			require.NoError(t, err)
			rel, _ := filepath.Rel(root, p)
			if d.IsDir() {
				out[rel] = "dir"
				return nil
			}
			b, err := os.ReadFile(p)
			out[rel] = string(b)
			return err
		}))
		return out
	}
	require.Equal(t, read(want), read(got))
}

func TestPgDumpVersionCheck(t *testing.T) {
	for _, tc := range []struct {
		pgDump, server, want string
	}{
		{"pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)", "150004", ""},
		{"pg_dump (PostgreSQL) 16.1", "150004", ""},
		{"pg_dump (PostgreSQL) 15.20", "160002", "is older than the server (PostgreSQL 16): install postgresql-client-16"},
		{"pg_dump (PostgreSQL) 9.6.24", "90624", ""},
		{"pg_dump (PostgreSQL) 12.1", "170000", "install postgresql-client-17"},
	} {
		err := checkVersions(tc.pgDump, tc.server)
		if tc.want == "" {
			require.NoError(t, err, tc.pgDump)
		} else {
			require.ErrorContains(t, err, tc.want, tc.pgDump)
		}
	}
}

func TestListAndPrune(t *testing.T) {
	s := dest.Local{Dir: t.TempDir()}
	ctx := context.Background()
	for i := range 3 {
		m := &Manifest{Format: FormatVersion, ID: NewID(time.Unix(int64(1000+i), 0)), Created: time.Unix(int64(1000+i), 0)}
		files, err := manifestFiles(m, nil)
		require.NoError(t, err)
		require.NoError(t, writeManifest(ctx, s, m.ID, files))
	}
	w, err := s.Create(ctx, "b19700101T000000Z/dump.pgc.age") // an interrupted backup: no manifest
	require.NoError(t, err)
	require.NoError(t, w.Commit())

	gone, err := Prune(ctx, s, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"b19700101T001640Z"}, gone)
	list, err := ListIn(ctx, s)
	require.NoError(t, err)
	require.Len(t, list, 3)
	require.Equal(t, "b19700101T001642Z", list[0].ID)
	require.Equal(t, "b19700101T000000Z", list[2].ID)
	require.ErrorIs(t, list[2].Err, dest.ErrNotExist, "left alone and listed as unreadable")
	manifests, err := List(s.Dir)
	require.NoError(t, err)
	require.Len(t, manifests, 2)
}

// A restore adds the dump's rows to whatever the database holds: into a
// database with tables (a mistaken DSN could name the live Odoo database)
// Restore and RestoreTest refuse before they read the backup.
func TestIntegrationRestoreRefusesADatabaseThatIsNotEmpty(t *testing.T) {
	dsn, _ := fixture(t)
	s := dest.Local{Dir: t.TempDir()}
	keys := x25519(t)
	m, err := Create(context.Background(), Source{DSN: dsn}, []dest.Store{s}, keys, time.Now())
	require.NoError(t, err)
	_, err = Restore(context.Background(), s, m.ID, keys, Target{DSN: dsn})
	require.ErrorContains(t, err, "the database to restore into is not empty (4 table(s), first public.account_move): restore needs an empty database")
	_, err = RestoreTest(context.Background(), s, m.ID, keys, dsn)
	require.ErrorContains(t, err, "is not empty")
	db, err := sql.Open("pgx", dsn.Reveal())
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM res_partner").Scan(&n))
	require.Equal(t, 250, n, "nothing was added")
}
