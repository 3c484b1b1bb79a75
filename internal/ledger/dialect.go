package ledger

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// dbHandle is the ledger's database handle: SQLite, or PostgreSQL with the
// queries rewritten from SQLite's dialect (placeholders, the two
// functions that differ). Every query of the package goes through it.
type dbHandle struct {
	*sql.DB
	pg bool
}

// tx is a transaction on db, with the same rewriting.
type tx struct {
	*sql.Tx
	pg bool
}

// pgReplacer turns the package's SQLite functions into PostgreSQL's.
var pgReplacer = strings.NewReplacer(
	"MAX(rows.created, excluded.created)", "GREATEST(rows.created, excluded.created)",
	"json_patch(excluded.fields, images.fields)", "(excluded.fields::jsonb || images.fields::jsonb)::text",
)

// rewrite renders q for PostgreSQL: ? placeholders become $1, $2, …
// (the package's queries hold no literal question marks).
func rewrite(q string, pg bool) string {
	if !pg {
		return q
	}
	q = pgReplacer.Replace(q)
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (d *dbHandle) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.DB.ExecContext(ctx, rewrite(q, d.pg), args...)
}

func (d *dbHandle) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, rewrite(q, d.pg), args...)
}

func (d *dbHandle) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, rewrite(q, d.pg), args...)
}

func (d *dbHandle) begin(ctx context.Context) (*tx, error) {
	t, err := d.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &tx{Tx: t, pg: d.pg}, nil
}

func (t *tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, rewrite(q, t.pg), args...)
}

func (t *tx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, rewrite(q, t.pg))
}

func (t *tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, rewrite(q, t.pg), args...)
}

func (t *tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, rewrite(q, t.pg), args...)
}
