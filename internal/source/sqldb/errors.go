package sqldb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// ErrClosed is returned by a Source used after Close.
var ErrClosed = errors.New("sqldb: the source is closed")

// connError is a connection failure. Its message never holds the DSN;
// it unwraps to the caller's context error when that ended the attempt.
type connError struct {
	msg   string
	cause error
}

func (e *connError) Error() string { return e.msg }
func (e *connError) Unwrap() error { return e.cause }

// connectError says why connecting failed: unreachable server, refused
// credentials, missing database or failed TLS.
func (s *Source) connectError(ctx context.Context, dsn secret.String, err error) error {
	why := "cannot reach the " + s.kind + " server named by the DSN of source " + s.name
	var pg *pgconn.PgError
	var my *mysql.MySQLError
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var re *tls.RecordHeaderError
	switch {
	case errors.As(err, &pg) && strings.HasPrefix(pg.Code, "28"),
		errors.As(err, &my) && (my.Number == 1044 || my.Number == 1045 || my.Number == 1698):
		why = "the " + s.kind + " server refused the credentials in the DSN of source " + s.name
	case errors.As(err, &pg) && pg.Code == "3D000", errors.As(err, &my) && my.Number == 1049:
		why = "the database named by the DSN of source " + s.name + " does not exist on the " + s.kind + " server"
	case errors.As(err, &ue), errors.As(err, &he), errors.As(err, &re), strings.Contains(err.Error(), "TLS"):
		why = "the encrypted connection to the " + s.kind + " server of source " + s.name +
			" failed (TLS is required outside loopback; see sslmode / tls in the DSN)"
	case s.kind == "sqlite":
		why = "cannot open the SQLite database of source " + s.name
	}
	if s.tunnel != nil {
		why += " (through the SSH tunnel " + s.tunnel.String() + ")"
	}
	return &connError{msg: "source " + s.name + ": " + s.what() + ": " + why + ": " + redact(err.Error(), s.kind, dsn), cause: ctx.Err()}
}

// redact removes the DSN and its password from a driver message.
func redact(msg, kind string, dsn secret.String) string {
	d := dsn.Reveal()
	if d == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, d, "[the DSN]")
	for _, pw := range passwords(kind, d) {
		if pw != "" {
			msg = strings.ReplaceAll(msg, pw, secret.Redacted)
		}
	}
	return msg
}

func passwords(kind, dsn string) []string {
	var out []string
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		pw, _ := u.User.Password()
		out = append(out, pw)
	}
	switch kind {
	case "postgres":
		if cfg, err := pgconn.ParseConfig(dsn); err == nil {
			out = append(out, cfg.Password)
		}
	case "mysql":
		if cfg, err := mysql.ParseDSN(dsn); err == nil {
			out = append(out, cfg.Passwd)
		}
	}
	return out
}
