package open

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sqldb"
	"github.com/ferry-migrate/ferry/internal/sshconn/sshtest"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// A postgres or mysql source with ssh: reads through the bastion (the
// loopback sshd); the DSN names the database as the bastion sees it.
func TestIntegrationSSHTunnel(t *testing.T) {
	testutil.Integration(t)
	s := sshtest.Start(t)
	for _, db := range []struct{ kind, driver, dsn string }{
		{"postgres", "pgx", testutil.PostgresURL()},
		{"mysql", "mysql", testutil.MariaDBDSN()},
	} {
		t.Run(db.kind, func(t *testing.T) {
			conn, err := testutil.Ping(db.driver, db.dsn)
			if err != nil {
				testutil.Unavailable(t, db.kind, err)
				return
			}
			defer conn.Close()
			table := testutil.UniqueName("ferry_tunnel")
			_, err = conn.Exec(fmt.Sprintf("CREATE TABLE %s (id integer PRIMARY KEY, name varchar(20))", table))
			require.NoError(t, err)
			t.Cleanup(func() { _, _ = conn.Exec("DROP TABLE " + table) })
			_, err = conn.Exec(fmt.Sprintf("INSERT INTO %s VALUES (1, 'Zoë'), (2, 'Bob')", table))
			require.NoError(t, err)

			env := "FERRY_TEST_TUNNEL_DSN_" + db.kind
			t.Setenv(env, db.dsn)
			spec := source.Spec{Kind: db.kind, DSN: secret.Ref{Env: env}, SSH: &source.SSH{Host: s.Addr, User: s.User,
				KnownHosts: s.KnownHosts, PrivateKey: secret.Ref{File: s.KeyFile}}}
			src, err := Open(context.Background(), "legacy", spec, source.Select{Table: table}, t.TempDir())
			require.NoError(t, err)
			defer src.Close()
			var names []any
			require.NoError(t, src.Scan(context.Background(), record.Position{}, func(r *record.Record) error {
				names = append(names, r.Values["name"])
				return nil
			}))
			require.Equal(t, []any{"Zoë", "Bob"}, names)
			require.NoError(t, src.Close())
			require.NoError(t, src.Close())

			tun, err := Tunnel(context.Background(), "legacy", spec, t.TempDir())
			require.NoError(t, err)
			defer tun.Close()
			dsn, err := spec.DSN.Resolve()
			require.NoError(t, err)
			pos, err := sqldb.InspectWith(context.Background(), "legacy", db.kind, dsn, sqldb.Options{Tunnel: tun})
			require.NoError(t, err, "a security audit inspects the database through the tunnel")
			require.NotEmpty(t, pos.User)
		})
	}
}

// The bastion is checked like any SSH server: unknown host keys and
// refused keys stop the source before the database is tried.
func TestIntegrationSSHTunnelRefusals(t *testing.T) {
	testutil.Integration(t)
	s := sshtest.Start(t)
	dir := t.TempDir()
	other, otherKey := sshtest.NewKey(t)
	unknown := filepath.Join(dir, "known_hosts")
	require.NoError(t, os.WriteFile(unknown, []byte(sshtest.KnownHostsLine("192.0.2.1:22", other)+"\n"), 0o600))
	wrongKey := filepath.Join(dir, "id_other")
	require.NoError(t, os.WriteFile(wrongKey, []byte(otherKey.Reveal()), 0o600))
	t.Setenv("FERRY_TEST_TUNNEL_DSN", "postgres://postgres:hunter2@127.0.0.1:5432/test?sslmode=disable")
	tunnel := "source legacy: the SSH tunnel through ssh://" + s.User + "@" + s.Addr + ": "
	cases := []struct {
		name string
		ssh  source.SSH
		want string
	}{
		{"unknown host", source.SSH{Host: s.Addr, User: s.User, KnownHosts: unknown, PrivateKey: secret.Ref{File: s.KeyFile}},
			tunnel + "the server's host key is not in " + unknown + ": refused"},
		{"wrong key", source.SSH{Host: s.Addr, User: s.User, KnownHosts: s.KnownHosts, PrivateKey: secret.Ref{File: wrongKey}},
			tunnel + "the server refused the key or password of " + s.User},
		{"no host", source.SSH{User: s.User, KnownHosts: s.KnownHosts, PrivateKey: secret.Ref{File: s.KeyFile}},
			"source legacy: ssh: a tunnel needs host: (the bastion, host or host:port) and user:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := source.Spec{Kind: "postgres", DSN: secret.Ref{Env: "FERRY_TEST_TUNNEL_DSN"}, SSH: &tc.ssh}
			_, err := Open(context.Background(), "legacy", spec, source.Select{Table: "t"}, dir)
			require.ErrorContains(t, err, tc.want)
			require.NotContains(t, err.Error(), "hunter2")
			require.NotContains(t, err.Error(), s.Key.Reveal()[40:80])
		})
	}
}
