package fastpath

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// fieldInfo is a field as ir_model_fields describes it in the database.
type fieldInfo struct {
	ttype, relation, related      string
	relTable, column1, column2    string
	domain                        string
	translate, companyDep, stored bool
}

// catalog caches what the database says about tables and fields. It is
// read outside the comparison's transaction, once per table or model.
type catalog struct {
	conn   *pgx.Conn
	tables map[string]map[string]string // table → column → data type; empty map: no such table
	fields map[string]map[string]fieldInfo
	// noFields is set when ir_model_fields cannot be read: fields are
	// then placed by Odoo's naming rules alone.
	noFields bool
}

func newCatalog(conn *pgx.Conn) *catalog {
	return &catalog{conn: conn, tables: map[string]map[string]string{}, fields: map[string]map[string]fieldInfo{}}
}

// columns returns the table's columns and their data types (empty when
// the table does not exist in the connection's schema).
func (c *catalog) columns(ctx context.Context, table string) (map[string]string, error) {
	if cols, ok := c.tables[table]; ok {
		return cols, nil
	}
	rows, err := c.conn.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	cols := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		cols[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	c.tables[table] = cols
	return cols, nil
}

// rows is PostgreSQL's estimate of a table's rows (0 when unknown).
func (c *catalog) rows(ctx context.Context, table string) (float64, error) {
	var n float64
	err := c.conn.QueryRow(ctx, `SELECT greatest(coalesce(max(reltuples), 0), 0)::float8 FROM pg_class
		WHERE relname = $1 AND relnamespace = current_schema()::regnamespace`, table).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("estimate the rows of %s: %w", table, err)
	}
	return n, nil
}

// modelFields returns ir_model_fields of model by name (nil when the
// database has no readable ir_model_fields).
func (c *catalog) modelFields(ctx context.Context, model string) (map[string]fieldInfo, error) {
	if c.noFields {
		return nil, nil
	}
	if m, ok := c.fields[model]; ok {
		return m, nil
	}
	cols, err := c.columns(ctx, "ir_model_fields")
	if err != nil {
		return nil, err
	}
	for _, need := range []string{"model", "name", "ttype", "relation", "related", "relation_table", "column1", "column2", "domain", "translate", "company_dependent", "store"} {
		if _, ok := cols[need]; !ok {
			c.noFields = true
			return nil, nil
		}
	}
	rows, err := c.conn.Query(ctx, `SELECT name, ttype, coalesce(relation, ''), coalesce(related, ''),
		coalesce(relation_table, ''), coalesce(column1, ''), coalesce(column2, ''), coalesce(domain, ''),
		coalesce(translate::text, '') NOT IN ('', 'false'), coalesce(company_dependent, false), coalesce(store, false)
		FROM ir_model_fields WHERE model = $1`, model) // translate: a boolean up to 18, 19 names the kind ('standard', 'html_translate'…)
	if err != nil {
		return nil, fmt.Errorf("read ir_model_fields of %s: %w", model, err)
	}
	m := map[string]fieldInfo{}
	for rows.Next() {
		var n string
		var f fieldInfo
		if err := rows.Scan(&n, &f.ttype, &f.relation, &f.related, &f.relTable, &f.column1, &f.column2, &f.domain,
			&f.translate, &f.companyDep, &f.stored); err != nil {
			return nil, err
		}
		m[n] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read ir_model_fields of %s: %w", model, err)
	}
	c.fields[model] = m
	return m, nil
}

// Table is the table Odoo stores a model in by default (res.partner →
// res_partner). Models that name their own table are not supported.
func Table(model string) string { return strings.ReplaceAll(model, ".", "_") }

// defaultRelation is Odoo's name for a many2many table and its columns
// when the field does not name them: the two tables in name order.
func defaultRelation(model, comodel string) (table, col1, col2 string) {
	a, b := Table(model), Table(comodel)
	if a < b {
		table = a + "_" + b + "_rel"
	} else {
		table = b + "_" + a + "_rel"
	}
	return table, a + "_id", b + "_id"
}
