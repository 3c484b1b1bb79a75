package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/record"
)

// Schema returns the columns and their types, read from an empty result
// of the table or query inside a read-only transaction.
func (s *Source) Schema(ctx context.Context) (record.Schema, error) {
	var sch record.Schema
	err := s.readOnly(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.emptySQL())
		if err != nil {
			return s.errorf("%w", err)
		}
		defer rows.Close()
		types, err := rows.ColumnTypes()
		if err != nil {
			return s.errorf("%w", err)
		}
		for _, t := range types {
			sch.Columns = append(sch.Columns, record.Column{Name: t.Name(), Type: s.typeOf(t.Name(), t.DatabaseTypeName())})
		}
		return s.uniqueNames(sch.Names())
	})
	return sch, err
}

func (s *Source) emptySQL() string {
	switch {
	case s.query != "" && s.kind == "sqlite":
		return s.query // SQLite names the columns before it reads a row
	case s.query != "":
		return "SELECT * FROM (" + s.query + ") ferry_q WHERE 1 = 0"
	}
	return "SELECT * FROM " + s.quoteName(s.table) + " WHERE 1 = 0"
}

// uniqueNames refuses a result with two columns of one name: a record
// maps names to values and would lose one.
func (s *Source) uniqueNames(names []string) error {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return s.errorf("two columns are named %q: give them distinct names with AS", n)
		}
		seen[n] = true
	}
	return nil
}

// pageSQL reads the page of the table after a key of nkeys values (none
// for the first page), in key order.
func (s *Source) pageSQL(nkeys int) string {
	cols := make([]string, len(s.keys))
	for i, k := range s.keys {
		cols[i] = s.dialect.quote(k)
	}
	q := "SELECT *" + s.rawKeys(cols) + " FROM " + s.quoteName(s.table)
	if nkeys > 0 {
		params := make([]string, nkeys)
		for i := range params {
			params[i] = s.dialect.param(i + 1)
		}
		q += " WHERE (" + strings.Join(cols, ", ") + ") > (" + strings.Join(params, ", ") + ")"
	}
	return q + " ORDER BY " + strings.Join(cols, ", ") + " LIMIT " + strconv.Itoa(s.page)
}

// rawKeys selects SQLite's key values again, after the row's columns,
// with unary plus: that drops the declared type, so the driver returns the
// stored value (the text of a date, not a time.Time) and the next page
// compares against exactly what the table holds.
func (s *Source) rawKeys(cols []string) string {
	if s.kind != "sqlite" {
		return ""
	}
	return ", +" + strings.Join(cols, ", +")
}

// Scan reads every row after pos. A table is read page by page, each in
// its own read-only transaction, after the last key delivered
// (after.Cursor, or after.Row rows in key order when it has none); a
// query is read in one read-only transaction, skipping after.Row rows.
func (s *Source) Scan(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	if s.query != "" {
		return s.scanQuery(ctx, after, fn)
	}
	var last []any
	if after.Cursor != "" {
		var err error
		if last, err = s.decodeCursor(after.Cursor); err != nil {
			return s.errorf("%w", err)
		}
	}
	n, skip := after.Row, int64(0)
	if after.Cursor == "" {
		n, skip = 0, after.Row // a position without a key: skip rows in key order
	}
	for {
		got := 0
		err := s.readOnly(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, s.pageSQL(len(last)), last...)
			if err != nil {
				return s.errorf("%w", err)
			}
			return s.each(ctx, rows, s.hidden(), func(rec *record.Record, raw []any) error {
				got++
				n++
				last = raw
				if last == nil {
					last = s.keyArgs(rec)
				}
				if n <= skip {
					return nil
				}
				rec.Pos.Row = n
				rec.Pos.Cursor = encodeCursor(last)
				return fn(rec)
			})
		})
		if err != nil || got < s.page {
			return err
		}
	}
}

// hidden is how many columns after the row's are raw keys.
func (s *Source) hidden() int {
	if s.kind == "sqlite" {
		return len(s.keys)
	}
	return 0
}

// keyArgs are the primary key values of rec as query arguments.
func (s *Source) keyArgs(rec *record.Record) []any {
	out := make([]any, len(s.keys))
	for i, k := range s.keys {
		out[i] = rec.Values[k]
	}
	return out
}

func (s *Source) scanQuery(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	return s.readOnly(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.query)
		if err != nil {
			return s.errorf("%w", err)
		}
		n := int64(0)
		return s.each(ctx, rows, 0, func(rec *record.Record, _ []any) error {
			n++
			if n <= after.Row {
				return nil
			}
			rec.Pos.Row = n
			return fn(rec)
		})
	})
}

// readOnly runs fn in a read-only transaction, rolled back afterwards.
func (s *Source) readOnly(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.db == nil {
		return s.errorf("%w", ErrClosed)
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s.errorf("%w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	// SQLite's driver does not make the transaction read-only by itself.
	if s.kind == "sqlite" {
		if _, err := tx.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
			return s.errorf("%w", err)
		}
	}
	return fn(tx)
}

// each converts the rows to records; a value that does not fit its
// column's type is kept as read and sets Record.Problem. The last hidden
// columns are not part of the record: fn gets them as they came.
func (s *Source) each(ctx context.Context, rows *sql.Rows, hidden int, fn func(*record.Record, []any) error) error {
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return s.errorf("%w", err)
	}
	names := make([]string, len(cols))
	types := make([]record.Type, len(cols))
	for i, c := range cols[:len(cols)-hidden] {
		names[i], types[i] = c.Name(), s.typeOf(c.Name(), c.DatabaseTypeName())
	}
	if err := s.uniqueNames(names[:len(cols)-hidden]); err != nil {
		return err
	}
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, raw, err := s.record(rows, names, types, hidden)
		if err != nil {
			return err
		}
		if err := fn(rec, raw); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return s.errorf("%w", err)
	}
	return nil
}

func (s *Source) record(rows *sql.Rows, names []string, types []record.Type, hidden int) (*record.Record, []any, error) {
	raw := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, nil, s.errorf("%w", err)
	}
	visible := len(raw) - hidden
	var problems []string
	for i := range raw[:visible] {
		var p string
		if raw[i], p = convert(raw[i], types[i]); p != "" {
			problems = append(problems, "column "+names[i]+": "+p)
		}
	}
	rec := record.New(record.Position{Source: s.name}, names[:visible], raw[:visible])
	rec.Problem = strings.Join(problems, "; ")
	if hidden == 0 {
		return rec, nil, nil
	}
	return rec, raw[visible:], nil
}
