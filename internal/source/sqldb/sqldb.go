package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
)

// DefaultPage is how many rows of a table one keyset page reads.
const DefaultPage = 5000

// Source reads one table or query of a database.
type Source struct {
	name, kind, table, query string
	db                       *sql.DB
	dialect                  dialect
	keys                     []string        // primary key columns, in key order (tables)
	keyTypes                 []record.Type   // their types, to decode cursors
	bools                    map[string]bool // MySQL tinyint(1) columns of the table: BOOLEAN
	page                     int
	warning                  string
	tunnel                   Tunnel // closed with the source; nil: direct connections
}

var _ source.Source = (*Source)(nil)

type dialect struct {
	quote func(string) string
	param func(int) string
}

func quoteWith(q string) func(string) string {
	return func(s string) string { return q + strings.ReplaceAll(s, q, q+q) + q }
}

var dialects = map[string]dialect{
	"postgres": {quoteWith(`"`), func(i int) string { return "$" + strconv.Itoa(i) }},
	"mysql":    {quoteWith("`"), func(int) string { return "?" }},
	"sqlite":   {quoteWith(`"`), func(int) string { return "?" }},
}

// Open connects to the database of source name (kind postgres, mysql or
// sqlite) and, for a table, checks that it exists and finds its primary
// key, or checks that the query runs. Exactly one of table (optionally
// schema.table) and query is set.
// For sqlite the DSN is a file: URI, which should say mode=ro.
func Open(ctx context.Context, name, kind string, dsn secret.String, table, query string) (*Source, error) {
	return OpenWith(ctx, name, kind, dsn, table, query, Options{})
}

// OpenWith is Open with options (a tunnel). On success the source owns
// opts.Tunnel; on failure the caller still does.
func OpenWith(ctx context.Context, name, kind string, dsn secret.String, table, query string, opts Options) (*Source, error) {
	d, ok := dialects[kind]
	if !ok {
		return nil, fmt.Errorf("source %s: unknown database kind %q (postgres, mysql, sqlite)", name, kind)
	}
	query = strings.TrimRight(strings.TrimSpace(query), "; \t\r\n")
	if (table == "") == (query == "") {
		return nil, fmt.Errorf("source %s: name a table or a query (one of them)", name)
	}
	if opts.Tunnel != nil && kind == "sqlite" {
		return nil, fmt.Errorf("source %s: a sqlite database is a local file: it cannot be reached through a tunnel", name)
	}
	s := &Source{name: name, kind: kind, table: table, query: query, dialect: d, page: DefaultPage, tunnel: opts.Tunnel}
	db, warning, err := connect(name, kind, dsn, opts.Tunnel)
	if err != nil {
		return nil, s.errorf("%w", err)
	}
	s.db, s.warning = db, warning
	if err := s.ping(ctx, dsn); err != nil {
		db.Close()
		return nil, err
	}
	check := s.loadKey
	if table == "" {
		check = func(ctx context.Context) error { _, err := s.Schema(ctx); return err }
	}
	if err := check(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Warning is a sentence about the connection's security for the operator
// (an explicitly unencrypted connection to a host outside loopback), or "".
func (s *Source) Warning() string { return s.warning }

func (s *Source) ping(ctx context.Context, dsn secret.String) error {
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.db.PingContext(pctx); err != nil {
		return s.connectError(ctx, dsn, err)
	}
	return nil
}

// what names the table or query in errors (a long query by its start).
func (s *Source) what() string {
	if s.query == "" {
		return "table " + s.table
	}
	q := strings.Join(strings.Fields(s.query), " ")
	if r := []rune(q); len(r) > 60 {
		q = string(r[:59]) + "…"
	}
	return fmt.Sprintf("query %q", q)
}

func (s *Source) errorf(format string, a ...any) error {
	return fmt.Errorf("source %s: %s: "+format, append([]any{s.name, s.what()}, a...)...)
}

// quoteName quotes a table name, schema-qualified or not.
func (s *Source) quoteName(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = s.dialect.quote(p)
	}
	return strings.Join(parts, ".")
}

// loadKey checks that the table can be read and finds its primary key
// columns and their types (a table without one cannot be read resumably).
func (s *Source) loadKey(ctx context.Context) error {
	if s.kind == "mysql" {
		if err := s.loadBools(ctx); err != nil {
			return s.errorf("the table does not exist or cannot be read: %w", err)
		}
	}
	sch, err := s.Schema(ctx)
	if err != nil {
		return s.errorf("the table does not exist or cannot be read: %w", err)
	}
	keys, err := s.primaryKey(ctx)
	if err != nil {
		return s.errorf("cannot read its primary key: %w", err)
	}
	if len(keys) == 0 {
		return s.errorf("the table has no primary key: read it with a query that orders its rows")
	}
	types := map[string]record.Type{}
	for _, c := range sch.Columns {
		types[c.Name] = c.Type
	}
	s.keys = keys
	s.keyTypes = make([]record.Type, len(keys))
	for i, k := range keys {
		s.keyTypes[i] = types[k]
		if s.kind == "sqlite" {
			s.keyTypes[i] = record.TypeUnknown // cursors hold SQLite's stored values
		}
	}
	return nil
}

// loadBools finds the table's tinyint(1) columns, which is how MySQL
// stores BOOLEAN (its result sets only say TINYINT).
func (s *Source) loadBools(ctx context.Context) error {
	schema, table := splitName(s.table)
	rows, err := s.db.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND table_name = ? AND column_type = 'tinyint(1)'`, schema, table)
	if err != nil {
		return err
	}
	defer rows.Close()
	s.bools = map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return err
		}
		s.bools[c] = true
	}
	return rows.Err()
}

// typeOf is the Ferry type of a result column.
func (s *Source) typeOf(name, dbType string) record.Type {
	if s.bools[name] {
		return record.TypeBool
	}
	return columnType(s.kind, dbType)
}

func splitName(name string) (schema, table string) {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}

func (s *Source) primaryKey(ctx context.Context) ([]string, error) {
	q, args := s.primaryKeySQL()
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
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
	return keys, rows.Err()
}

func (s *Source) primaryKeySQL() (string, []any) {
	schema, table := splitName(s.table)
	switch s.kind {
	case "postgres":
		return `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
			WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`, []any{s.quoteName(s.table)}
	case "mysql":
		return `SELECT column_name FROM information_schema.key_column_usage
			WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND table_name = ? AND constraint_name = 'PRIMARY'
			ORDER BY ordinal_position`, []any{schema, table}
	}
	if schema == "" {
		schema = "main"
	}
	return `SELECT name FROM pragma_table_info(?, ?) WHERE pk > 0 ORDER BY pk`, []any{table, schema}
}

// Close closes the connection pool, then the tunnel; it is safe to call
// twice.
func (s *Source) Close() error {
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if s.tunnel != nil {
		if terr := s.tunnel.Close(); err == nil {
			err = terr
		}
		s.tunnel = nil
	}
	return err
}
