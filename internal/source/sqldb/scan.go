package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/record"
)

// Schema returns the columns and their types.
func (s *Source) Schema(ctx context.Context) (record.Schema, error) {
	rows, err := s.db.QueryContext(ctx, s.selectSQL(0, 0)+"", s.emptyArgs()...)
	if err != nil {
		return record.Schema{}, s.errorf("%v", err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return record.Schema{}, s.errorf("%v", err)
	}
	var sch record.Schema
	for _, t := range types {
		sch.Columns = append(sch.Columns, record.Column{Name: t.Name(), Type: columnType(t.DatabaseTypeName())})
	}
	return sch, nil
}

func (s *Source) errorf(format string, a ...any) error {
	what := "table " + s.table
	if s.query != "" {
		what = "query"
	}
	return fmt.Errorf("source %s: %s: "+format, append([]any{s.name, what}, a...)...)
}

func (s *Source) emptyArgs() []any { return nil }

// selectSQL is a page query: for a table, rows after a key (keyset) in key
// order; for a query, the query itself. limit 0 = schema only.
func (s *Source) selectSQL(nkeys, limit int) string {
	if s.query != "" {
		if limit == 0 {
			return "SELECT * FROM (" + s.query + ") q WHERE 1 = 0"
		}
		return s.query
	}
	q := s.dialect.quote
	cols := make([]string, len(s.keys))
	for i, k := range s.keys {
		cols[i] = q(k)
	}
	sql := "SELECT * FROM " + q(s.table)
	if nkeys > 0 {
		params := make([]string, nkeys)
		for i := range params {
			params[i] = s.dialect.param(i + 1)
		}
		sql += " WHERE (" + strings.Join(cols, ", ") + ") > (" + strings.Join(params, ", ") + ")"
	}
	if limit == 0 {
		return sql + " LIMIT 0"
	}
	return sql + " ORDER BY " + strings.Join(cols, ", ") + " LIMIT " + strconv.Itoa(limit)
}

// Scan reads every row after pos in a read-only transaction per page.
func (s *Source) Scan(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	if s.query != "" {
		return s.scanQuery(ctx, after, fn)
	}
	var last []any
	if after.Cursor != "" {
		if err := json.Unmarshal([]byte(after.Cursor), &last); err != nil {
			return s.errorf("cannot resume from %q: %v", after.Cursor, err)
		}
	}
	n := after.Row
	for {
		got := 0
		err := s.readOnly(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, s.selectSQL(len(last), s.page), last...)
			if err != nil {
				return s.errorf("%v", err)
			}
			return s.each(rows, func(rec *record.Record, vals []any) error {
				got++
				n++
				last = s.keyValues(rec)
				rec.Pos.Row = n
				cur, _ := json.Marshal(last)
				rec.Pos.Cursor = string(cur)
				return fn(rec)
			})
		})
		if err != nil || got < s.page {
			return err
		}
	}
}

func (s *Source) keyValues(rec *record.Record) []any {
	out := make([]any, len(s.keys))
	for i, k := range s.keys {
		v := rec.Values[k]
		if t, ok := v.(time.Time); ok {
			v = t.UTC().Format(time.RFC3339Nano)
		}
		out[i] = v
	}
	return out
}

func (s *Source) scanQuery(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	return s.readOnly(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.query)
		if err != nil {
			return s.errorf("%v", err)
		}
		n := int64(0)
		return s.each(rows, func(rec *record.Record, _ []any) error {
			n++
			if n <= after.Row {
				return nil
			}
			rec.Pos.Row = n
			return fn(rec)
		})
	})
}

func (s *Source) readOnly(ctx context.Context, fn func(*sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: s.kind != "sqlite"}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return s.errorf("%v", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(tx)
}

// each converts the rows to records.
func (s *Source) each(rows *sql.Rows, fn func(*record.Record, []any) error) error {
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return s.errorf("%v", err)
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.Name()
	}
	for rows.Next() {
		raw := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return s.errorf("%v", err)
		}
		for i, t := range types {
			raw[i] = convert(raw[i], t.DatabaseTypeName())
		}
		rec := record.New(record.Position{Source: s.name}, names, raw)
		if err := fn(rec, raw); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return s.errorf("%v", err)
	}
	return nil
}

// convert gives a driver value its Ferry type: MySQL sends text for
// numbers, decimals stay exact strings.
func convert(v any, dbType string) any {
	b, isBytes := v.([]byte)
	if !isBytes {
		return v
	}
	s := string(b)
	switch columnType(dbType) {
	case record.TypeInt:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	case record.TypeFloat:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case record.TypeBool:
		return s == "1" || strings.EqualFold(s, "true")
	case record.TypeBytes:
		return b
	}
	return s
}

func columnType(db string) record.Type {
	switch t := strings.ToUpper(db); {
	case strings.Contains(t, "INT"):
		return record.TypeInt
	case t == "NUMERIC" || t == "DECIMAL":
		return record.TypeDecimal
	case strings.Contains(t, "FLOAT") || strings.Contains(t, "DOUBLE") || t == "REAL":
		return record.TypeFloat
	case t == "BOOL" || t == "BOOLEAN":
		return record.TypeBool
	case t == "DATE":
		return record.TypeDate
	case strings.Contains(t, "TIME"):
		return record.TypeDateTime
	case strings.Contains(t, "BLOB") || t == "BYTEA" || strings.Contains(t, "BINARY"):
		return record.TypeBytes
	}
	return record.TypeString
}

// Close closes the connection pool; it is safe to call twice.
func (s *Source) Close() error {
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	return err
}
