package backup

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// fixture creates a scratch database with two tables and returns its DSN
// and a function that makes another empty database.
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
	} {
		_, err := db.Exec(q)
		require.NoError(t, err)
	}
	return dsn, newDB
}

func x25519(t testing.TB) Keys {
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	return Keys{Recipients: []age.Recipient{id.Recipient()}, Identities: []age.Identity{id}}
}

func TestCreateVerifyRestoreRoundTrip(t *testing.T) {
	dsn, newDB := fixture(t)
	if newDB == nil {
		return
	}
	for name, keys := range map[string]Keys{"x25519": x25519(t), "passphrase": {Passphrase: secret.New("correct horse battery staple")}} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			m, err := Create(context.Background(), dsn, dir, keys, time.Now())
			require.NoError(t, err)
			require.Equal(t, int64(250), m.Tables["public.res_partner"])
			require.Equal(t, int64(40), m.Tables["public.account_move"])
			b, _ := os.ReadFile(filepath.Join(dir, m.ID, m.Parts[0].Name))
			require.NotContains(t, string(b), "partner 1", "the dump is encrypted at rest")
			_, err = Verify(filepath.Join(dir, m.ID), keys)
			require.NoError(t, err)
			diffs, err := RestoreTest(context.Background(), filepath.Join(dir, m.ID), keys, newDB())
			require.NoError(t, err)
			require.Empty(t, diffs)
		})
	}
}

func TestTamperingIsDetected(t *testing.T) {
	dsn, newDB := fixture(t)
	if newDB == nil {
		return
	}
	keys := x25519(t)
	dir := t.TempDir()
	m, err := Create(context.Background(), dsn, dir, keys, time.Now())
	require.NoError(t, err)
	bdir := filepath.Join(dir, m.ID)
	part := filepath.Join(bdir, m.Parts[0].Name)
	orig, err := os.ReadFile(part)
	require.NoError(t, err)
	restore := func() { require.NoError(t, os.WriteFile(part, orig, 0o600)) }

	flipped := bytes.Clone(orig)
	flipped[len(flipped)/2] ^= 0x01
	require.NoError(t, os.WriteFile(part, flipped, 0o600))
	_, err = Verify(bdir, keys)
	require.ErrorContains(t, err, "backup part dump.pgc.age: SHA-256 differs from the manifest")
	restore()

	require.NoError(t, os.WriteFile(part, orig[:len(orig)-100], 0o600))
	_, err = Verify(bdir, keys)
	require.ErrorContains(t, err, "truncated")
	restore()

	_, err = Verify(bdir, x25519(t))
	require.ErrorContains(t, err, "cannot decrypt")

	var man map[string]any
	b, _ := os.ReadFile(filepath.Join(bdir, "manifest.json"))
	require.NoError(t, json.Unmarshal(b, &man))
	man["parts"].([]any)[0].(map[string]any)["name"] = "../../etc/passwd"
	b, _ = json.Marshal(man)
	require.NoError(t, os.WriteFile(filepath.Join(bdir, "manifest.json"), b, 0o600))
	_, err = Verify(bdir, keys)
	require.ErrorContains(t, err, `would leave the backup directory: refused`)
}

func TestListAndPrune(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 3; i++ {
		m := &Manifest{Format: FormatVersion, ID: fmt.Sprintf("b%d", i), Created: time.Unix(int64(1000+i), 0)}
		require.NoError(t, os.MkdirAll(filepath.Join(dir, m.ID), 0o700))
		require.NoError(t, writeManifest(filepath.Join(dir, m.ID), m))
	}
	gone, err := Prune(dir, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"b0"}, gone)
	list, err := List(dir)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "b2", list[0].ID)
}

// BenchmarkPipeline measures Ferry's own backup path: hash, encrypt
// (X25519) and write to a local directory (fsynced), no pg_dump, no
// compression; /disk writes to the temporary directory, /memory to a
// memory file system (the CPU's share, without the disk).
func BenchmarkPipeline(b *testing.B) {
	b.Run("disk", func(b *testing.B) { benchPipeline(b, b.TempDir()) })
	b.Run("memory", func(b *testing.B) {
		dir, err := os.MkdirTemp("/dev/shm", "ferry-bench-")
		if err != nil {
			b.Skip("no /dev/shm")
		}
		defer os.RemoveAll(dir)
		benchPipeline(b, dir)
	})
}

func benchPipeline(b *testing.B, dir string) {
	keys := x25519(b)
	src := bytes.Repeat([]byte("0123456789abcdef"), 4<<20) // 64 MiB
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		p := filepath.Join(dir, fmt.Sprint(i))
		if _, err := encryptTo(p, io.NopCloser(bytes.NewReader(src)), keys.Recipients); err != nil {
			b.Fatal(err)
		}
		os.Remove(p)
	}
}
