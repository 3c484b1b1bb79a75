package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// Posture is how a source database connection stands, for a security
// audit: who Ferry logs in as and whether the session is encrypted.
type Posture struct {
	User      string // the database user of the session
	Superuser bool   // PostgreSQL rolsuper; MySQL/MariaDB ALL PRIVILEGES ON *.* or SUPER
	Encrypted bool   // the session runs over TLS (false for SQLite: a local file)
	Warning   string // Source.Warning: TLS explicitly turned off outside loopback
}

// Inspect connects to the database of source name like Open does and
// reports its Posture. It reads only catalog views and session status.
func Inspect(ctx context.Context, name, kind string, dsn secret.String) (Posture, error) {
	return InspectWith(ctx, name, kind, dsn, Options{})
}

// InspectWith is Inspect with options: a source behind a tunnel must be
// inspected through it, or "localhost" in its DSN would name this machine.
// The caller keeps and closes opts.Tunnel.
func InspectWith(ctx context.Context, name, kind string, dsn secret.String, opts Options) (Posture, error) {
	db, warning, err := connect(name, kind, dsn, opts.Tunnel)
	if err != nil {
		return Posture{}, fmt.Errorf("source %s: %w", name, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	p := Posture{Warning: warning}
	switch kind {
	case "postgres":
		err = db.QueryRowContext(ctx, `SELECT current_user, r.rolsuper, COALESCE(s.ssl, false)
			FROM pg_roles r LEFT JOIN pg_stat_ssl s ON s.pid = pg_backend_pid() WHERE r.rolname = current_user`).
			Scan(&p.User, &p.Superuser, &p.Encrypted)
	case "mysql":
		err = inspectMySQL(ctx, db, &p)
	default:
		p.User = "(file)"
	}
	if err != nil {
		src := &Source{name: name, kind: kind, table: "(connection)", tunnel: opts.Tunnel}
		return p, src.connectError(ctx, dsn, err)
	}
	return p, nil
}

func inspectMySQL(ctx context.Context, db *sql.DB, p *Posture) error {
	conn, err := db.Conn(ctx) // one session for every statement below
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&p.User); err != nil {
		return err
	}
	var name, cipher string
	if err := conn.QueryRowContext(ctx, "SHOW SESSION STATUS LIKE 'Ssl_cipher'").Scan(&name, &cipher); err != nil {
		return err
	}
	p.Encrypted = cipher != ""
	rows, err := conn.QueryContext(ctx, "SHOW GRANTS")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return err
		}
		g = strings.ToUpper(g)
		if strings.Contains(g, "ALL PRIVILEGES ON *.*") || strings.Contains(g, " SUPER") {
			p.Superuser = true
		}
	}
	return rows.Err()
}
