package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// Source reads one table or query.
type Source struct {
	name, kind, table, query string
	db                       *sql.DB
	dialect                  dialect
	keys                     []string
	page                     int
}

type dialect struct {
	driver string
	quote  func(string) string
	param  func(int) string
}

var dialects = map[string]dialect{
	"postgres": {"pgx", func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }, func(i int) string { return "$" + strconv.Itoa(i) }},
	"mysql":    {"mysql", func(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }, func(int) string { return "?" }},
	"sqlite":   {"sqlite", func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }, func(int) string { return "?" }},
}

// Open connects to the database of source name (kind postgres, mysql or
// sqlite) and checks that the table exists. Exactly one of table and query
// is set.
func Open(ctx context.Context, name, kind string, dsn secret.String, table, query string) (*Source, error) {
	d, ok := dialects[kind]
	if !ok {
		return nil, fmt.Errorf("source %s: unknown database kind %q", name, kind)
	}
	if (table == "") == (query == "") {
		return nil, fmt.Errorf("source %s: name a table or a query (not both)", name)
	}
	conn, err := secureDSN(kind, dsn.Reveal())
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", name, err)
	}
	db, err := sql.Open(d.driver, conn)
	if err != nil {
		return nil, fmt.Errorf("source %s: the DSN of the source is not valid for %s", name, kind)
	}
	s := &Source{name: name, kind: kind, table: table, query: query, db: db, dialect: d, page: 5000}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("source %s: cannot connect to the %s database: %s", name, kind, redact(err, dsn))
	}
	if table != "" {
		if s.keys, err = s.primaryKey(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// redact removes the DSN (and its password) from a driver error.
func redact(err error, dsn secret.String) string {
	msg := err.Error()
	if d := dsn.Reveal(); d != "" {
		msg = strings.ReplaceAll(msg, d, "[DSN]")
		if u, perr := url.Parse(d); perr == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok && pw != "" {
				msg = strings.ReplaceAll(msg, pw, secret.Redacted)
			}
		}
	}
	return msg
}

// secureDSN refuses an unencrypted connection to a host outside loopback
// and asks for TLS where the DSN says nothing.
func secureDSN(kind, dsn string) (string, error) {
	switch kind {
	case "postgres":
		u, err := url.Parse(dsn)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return "", errors.New("the DSN must be a postgres:// URL")
		}
		if loopback(u.Hostname()) || u.Hostname() == "" {
			return dsn, nil
		}
		q := u.Query()
		switch q.Get("sslmode") {
		case "disable", "allow", "prefer":
			return "", fmt.Errorf("refusing an unencrypted connection to %s: use sslmode=require or verify-full", u.Hostname())
		case "":
			q.Set("sslmode", "verify-full")
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	case "mysql":
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			return "", errors.New("the DSN is not a MySQL DSN (user:password@tcp(host:port)/db)")
		}
		cfg.ParseTime = true
		host, _, _ := net.SplitHostPort(cfg.Addr)
		if !loopback(host) && cfg.Net != "unix" && (cfg.TLSConfig == "" || cfg.TLSConfig == "false") {
			return "", fmt.Errorf("refusing an unencrypted connection to %s: add tls=true to the DSN", host)
		}
		return cfg.FormatDSN(), nil
	}
	return dsn, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// primaryKey finds the table's primary key columns (a table without one
// cannot be read resumably).
func (s *Source) primaryKey(ctx context.Context) ([]string, error) {
	var q string
	args := []any{s.table}
	switch s.kind {
	case "postgres":
		q = `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
			WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`
		args = []any{s.dialect.quote(s.table)}
	case "mysql":
		q = `SELECT column_name FROM information_schema.key_column_usage
			WHERE table_schema = DATABASE() AND table_name = ? AND constraint_name = 'PRIMARY' ORDER BY ordinal_position`
	case "sqlite":
		q = `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("source %s: table %s: %v", s.name, s.table, err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		if err := s.exists(ctx); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("source %s: table %s has no primary key: read it with a query that orders its rows", s.name, s.table)
	}
	return keys, rows.Err()
}

func (s *Source) exists(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "SELECT 1 FROM "+s.dialect.quote(s.table)+" WHERE 1 = 0")
	if err != nil {
		return fmt.Errorf("source %s: table %s does not exist or cannot be read: %v", s.name, s.table, err)
	}
	return nil
}
