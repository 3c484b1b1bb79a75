package sqldb

import (
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// connect opens the pool for kind without connecting yet. A connection to
// a host outside loopback must be encrypted: a DSN that says nothing gets
// verified TLS, one that asks for opportunistic TLS is refused, and one
// that disables TLS explicitly is accepted and reported by Source.Warning.
// Errors never quote the DSN. With a tunnel, "loopback" is the tunnel's
// far end.
func connect(name, kind string, dsn secret.String, tunnel Tunnel) (*sql.DB, string, error) {
	switch kind {
	case "postgres":
		conn, warning, err := securePostgres(name, dsn.Reveal())
		if err != nil {
			return nil, "", err
		}
		if tunnel != nil {
			db, err := openPostgresVia(name, conn, tunnel)
			return db, viaTunnel(warning, tunnel), err
		}
		db, err := sql.Open("pgx", conn)
		return db, warning, err
	case "mysql":
		cfg, warning, err := secureMySQL(name, dsn.Reveal())
		if err != nil {
			return nil, "", err
		}
		if tunnel != nil {
			cfg.DialFunc = tunnel.DialContext
		}
		c, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, "", fmt.Errorf("the DSN of source %s is not valid: %v", name, err)
		}
		return sql.OpenDB(c), viaTunnel(warning, tunnel), nil
	}
	db, err := sql.Open("sqlite", dsn.Reveal())
	return db, "", err
}

var pgSSLMode = regexp.MustCompile(`(?:^|\s)sslmode\s*=\s*'?([A-Za-z-]*)`)

// securePostgres returns the DSN to connect with and a warning; it
// accepts a postgres:// URL or a keyword/value DSN.
func securePostgres(name, dsn string) (string, string, error) {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return "", "", fmt.Errorf("the DSN of source %s is not a valid PostgreSQL DSN (postgres://user@host:5432/db or host=… dbname=…)", name)
	}
	mode, isURL := "", false
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		mode, isURL = u.Query().Get("sslmode"), true
	} else if m := pgSSLMode.FindStringSubmatch(dsn); m != nil {
		mode = m[1]
	}
	remote := pgRemoteHosts(cfg)
	switch {
	case len(remote) == 0:
		return dsn, "", nil
	case mode == "disable":
		return dsn, fmt.Sprintf("the connection to %s is not encrypted (sslmode=disable in the DSN of source %s)", strings.Join(remote, ", "), name), nil
	case mode == "allow" || mode == "prefer":
		return "", "", fmt.Errorf("refusing a connection to %s that may fall back to plain text (sslmode=%s in the DSN of source %s): use sslmode=verify-full or require, or sslmode=disable to accept an unencrypted connection explicitly", strings.Join(remote, ", "), mode, name)
	case mode == "":
		dsn = withPGSSLMode(dsn, isURL)
	}
	return dsn, "", nil
}

// pgRemoteHosts lists the hosts (first and fallbacks) outside loopback;
// a Unix socket directory is local.
func pgRemoteHosts(cfg *pgconn.Config) []string {
	var out []string
	seen := map[string]bool{}
	add := func(h string) {
		if !strings.HasPrefix(h, "/") && !loopback(h) && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	add(cfg.Host)
	for _, f := range cfg.Fallbacks {
		add(f.Host)
	}
	return out
}

// withPGSSLMode asks for verified TLS.
func withPGSSLMode(dsn string, isURL bool) string {
	if !isURL {
		return dsn + " sslmode=verify-full"
	}
	u, _ := url.Parse(dsn)
	q := u.Query()
	q.Set("sslmode", "verify-full")
	u.RawQuery = q.Encode()
	return u.String()
}

// secureMySQL returns the configuration to connect with and a warning; it
// accepts a go-sql-driver DSN (user:password@tcp(host)/db).
func secureMySQL(name, dsn string) (*mysql.Config, string, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("the DSN of source %s is not a valid MySQL DSN (user:password@tcp(host:3306)/db)", name)
	}
	cfg.ParseTime = true
	cfg.Logger = &mysql.NopLogger{}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	var warning string
	if cfg.Net != "unix" && !loopback(host) {
		switch strings.ToLower(cfg.TLSConfig) {
		case "false":
			warning = fmt.Sprintf("the connection to %s is not encrypted (tls=false in the DSN of source %s)", host, name)
		case "preferred":
			return nil, "", fmt.Errorf("refusing a connection to %s that may fall back to plain text (tls=preferred in the DSN of source %s): use tls=true, or tls=false to accept an unencrypted connection explicitly", host, name)
		case "":
			cfg.TLSConfig, cfg.TLS = "true", nil
		}
	}
	return cfg, warning, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
