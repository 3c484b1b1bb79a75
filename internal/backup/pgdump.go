package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// snapshot is a read-only repeatable-read transaction whose snapshot
// pg_dump dumps (--snapshot), so the row counts taken in it are exactly
// those of the dump. It must stay open until pg_dump has finished.
type snapshot struct {
	db   *sql.DB
	conn *sql.Conn
	tx   *sql.Tx
	id   string
}

func openSnapshot(ctx context.Context, dsn secret.String) (*snapshot, error) {
	db, err := sql.Open("pgx", dsn.Reveal())
	if err != nil {
		return nil, errors.New("backup: the database DSN is not valid")
	}
	s := &snapshot{db: db}
	if s.conn, err = db.Conn(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("backup: cannot connect to the database: %s", redact(err.Error(), dsn))
	}
	if s.tx, err = s.conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}); err == nil {
		err = s.tx.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&s.id)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("backup: cannot open a snapshot of the database: %w", err)
	}
	return s, nil
}

func (s *snapshot) Close() {
	if s.tx != nil {
		_ = s.tx.Rollback()
	}
	if s.conn != nil {
		s.conn.Close()
	}
	s.tx, s.conn = nil, nil
	s.db.Close()
}

// describe records the server version, database name and row counts.
func (s *snapshot) describe(ctx context.Context, m *Manifest) error {
	if err := s.tx.QueryRowContext(ctx, "SELECT current_database(), current_setting('server_version_num')").Scan(&m.Database, &m.ServerVersion); err != nil {
		return fmt.Errorf("backup: cannot read the database: %w", err)
	}
	counts, err := tableCounts(ctx, s.tx)
	m.Tables = counts
	return err
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// tableCounts counts the rows of every ordinary table outside the system
// schemas, each table's own (FROM ONLY: Odoo's ir_actions is inherited by
// ir_act_window and the other actions, and a dump copies each table's own
// rows).
func tableCounts(ctx context.Context, q querier) (map[string]int64, error) {
	names, err := tableNames(ctx, q)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM ONLY "+quoteIdent(n[0])+"."+quoteIdent(n[1])).Scan(&c); err != nil {
			return nil, fmt.Errorf("backup: count %s.%s: %w", n[0], n[1], err)
		}
		out[n[0]+"."+n[1]] = c
	}
	return out, nil
}

// tableNames lists the ordinary tables outside the system schemas as
// (schema, table).
func tableNames(ctx context.Context, q querier) ([][2]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("backup: list tables: %w", err)
	}
	var names [][2]string
	for rows.Next() {
		var s, t string
		if err := rows.Scan(&s, &t); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, [2]string{s, t})
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("backup: list tables: %w", err)
	}
	return names, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

var versionRE = regexp.MustCompile(`(\d+)(?:\.(\d+))?`)

// checkPgDump refuses a pg_dump whose major version is older than the
// server's (serverNum is server_version_num, e.g. 160004).
func checkPgDump(ctx context.Context, serverNum string) (string, error) {
	b, err := exec.CommandContext(ctx, "pg_dump", "--version").Output()
	if err != nil {
		return "", errors.New("backup: pg_dump is not installed: install the PostgreSQL client of the server's major version (Debian: postgresql-client)")
	}
	v := strings.TrimSpace(string(b))
	return v, checkVersions(v, serverNum)
}

func checkVersions(pgDump, serverNum string) error {
	server, err := strconv.Atoi(serverNum)
	m := versionRE.FindStringSubmatch(pgDump)
	if err != nil || m == nil {
		return fmt.Errorf("backup: cannot compare %q with the server's version %q", pgDump, serverNum)
	}
	major, _ := strconv.Atoi(m[1])
	if want := server / 10000; major < want {
		return fmt.Errorf("backup: %s is older than the server (PostgreSQL %d): install postgresql-client-%d (from apt.postgresql.org on Debian) and put its pg_dump first in PATH", pgDump, want, want)
	}
	return nil
}

// pgDump starts pg_dump of the snapshot and returns its output; wait
// reports how it ended, and stop kills it when its output is not read to
// the end.
func pgDump(ctx context.Context, dsn secret.String, snapshotID string) (out io.Reader, wait func() error, stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--no-owner", "--snapshot="+snapshotID, "--dbname", dsn.Reveal())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, nil, nil, fmt.Errorf("backup: start pg_dump: %w", err)
	}
	wait = func() error {
		defer cancel()
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("backup: pg_dump failed: %s", redact(stderr.String(), dsn))
		}
		return nil
	}
	stop = func() { cancel(); _ = cmd.Wait() }
	return stdout, wait, stop, nil
}

func redact(s string, dsn secret.String) string {
	if dsn.Reveal() != "" {
		s = strings.ReplaceAll(s, dsn.Reveal(), "[DSN]")
	}
	return strings.TrimSpace(s)
}
