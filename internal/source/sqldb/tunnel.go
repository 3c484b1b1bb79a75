package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Options are the optional parts of a database source's connection.
type Options struct {
	// Tunnel, when set, carries every connection to the database: an SSH
	// tunnel through a bastion (sshconn.Tunnel). The DSN then names the
	// database host as the bastion sees it ("localhost" is the bastion).
	// The source closes the tunnel when it is closed.
	Tunnel Tunnel
}

// Tunnel dials connections from its far end: DialContext is called by
// the driver's pool, from any goroutine, once per connection; String
// names it in errors and warnings.
type Tunnel interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
	Close() error
	String() string
}

// openPostgresVia opens a pool whose connections go through t. Host
// names are resolved at the far end, not here.
func openPostgresVia(name, conn string, t Tunnel) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(conn)
	if err != nil {
		return nil, fmt.Errorf("the DSN of source %s is not a valid PostgreSQL DSN (postgres://user@host:5432/db or host=… dbname=…)", name)
	}
	cfg.DialFunc = t.DialContext
	cfg.LookupFunc = func(_ context.Context, host string) ([]string, error) { return []string{host}, nil }
	return stdlib.OpenDB(*cfg), nil
}

// viaTunnel says where a warning's connection runs: beyond the tunnel.
func viaTunnel(warning string, t Tunnel) string {
	if warning == "" || t == nil {
		return warning
	}
	return warning + " (between the SSH server " + t.String() + " and the database)"
}
