package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
	"github.com/ferry-migrate/ferry/internal/sshconn"
	"github.com/ferry-migrate/ferry/internal/sshconn/sshtest"
)

// countingTunnel counts the connections it carries and its Close.
type countingTunnel struct {
	*sshconn.Tunnel
	dials, closes atomic.Int32
}

func (c *countingTunnel) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c.dials.Add(1)
	return c.Tunnel.DialContext(ctx, network, addr)
}

func (c *countingTunnel) Close() error {
	c.closes.Add(1)
	return c.Tunnel.Close()
}

// Every connection of a tunnelled source goes through the SSH server
// (the loopback sshd forwarding to the machine's PostgreSQL and MariaDB),
// and closing the source closes the tunnel.
func TestIntegrationTunnel(t *testing.T) {
	each(t, func(t *testing.T, s server, db *sql.DB) {
		if s.kind == "sqlite" {
			return
		}
		ssh := sshtest.Start(t)
		var rows []string
		var want [][]any
		for i := 1; i <= 4; i++ {
			rows = append(rows, fmt.Sprintf("%d, 'name %d'", i, i))
			want = append(want, []any{int64(i), fmt.Sprintf("name %d", i)})
		}
		name := table(t, s, db, "id integer PRIMARY KEY, name %s", rows...)
		var tunnels []*countingTunnel
		sourcetest.Run(t, func(t *testing.T) source.Source {
			tun, err := sshconn.OpenTunnel(context.Background(), ssh.Config())
			require.NoError(t, err)
			ct := &countingTunnel{Tunnel: tun}
			tunnels = append(tunnels, ct)
			src, err := OpenWith(context.Background(), "legacy", s.kind, secret.New(s.dsn), name, "", Options{Tunnel: ct})
			require.NoError(t, err)
			src.page = 2
			return src
		}, want)
		require.NotEmpty(t, tunnels)
		for _, ct := range tunnels {
			require.Positive(t, ct.dials.Load(), "connections go through the tunnel")
			require.Equal(t, int32(1), ct.closes.Load(), "the source closes its tunnel once")
		}
	})
}

// A database the bastion cannot reach is reported as such, naming the
// tunnel; the caller keeps the tunnel when opening fails.
func TestIntegrationTunnelUnreachableDatabase(t *testing.T) {
	each(t, func(t *testing.T, s server, db *sql.DB) {
		if s.kind == "sqlite" {
			return
		}
		ssh := sshtest.Start(t)
		tun, err := sshconn.OpenTunnel(context.Background(), ssh.Config())
		require.NoError(t, err)
		defer tun.Close()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		closed := l.Addr().String()
		require.NoError(t, l.Close())
		_, port, _ := net.SplitHostPort(closed)
		dsn := map[string]string{"postgres": "postgres://postgres:hunter2@127.0.0.1:" + port + "/test?sslmode=disable",
			"mysql": "root:hunter2@tcp(" + closed + ")/test"}[s.kind]
		_, err = OpenWith(context.Background(), "legacy", s.kind, secret.New(dsn), "t", "", Options{Tunnel: tun})
		require.ErrorContains(t, err, "source legacy: table t: cannot reach the "+s.kind+" server named by the DSN of source legacy (through the SSH tunnel "+tun.String()+")")
		require.ErrorContains(t, err, "cannot reach "+closed)
		require.NotContains(t, err.Error(), "hunter2")
	})
}
