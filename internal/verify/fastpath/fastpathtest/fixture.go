// Package fastpathtest builds Odoo-shaped databases for the fast path's
// tests: tables laid out as Odoo 18 lays them out (from the fields_get
// snapshot in odoo18.json, trimmed from ../shared/odoo18/schema.json to the
// models used), in a fresh database of the machine's PostgreSQL that
// disappears with the test.
package fastpathtest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ferry-migrate/ferry/internal/testutil"
	"github.com/ferry-migrate/ferry/internal/verify"
)

//go:embed odoo18.json
var schemaJSON []byte

// FieldDef is a field of the snapshot.
type FieldDef struct {
	Type             string `json:"type"`
	Relation         string `json:"relation"`
	Store            bool   `json:"store"`
	Translate        bool   `json:"translate"`
	CompanyDependent bool   `json:"company_dependent"`
	// Digits are the decimal places of a float (a numeric column); -1
	// stores it as double precision. Only the probe model sets them.
	Digits *int `json:"-"`
}

// Probe is a custom model (named as Odoo names them, x_…; its table has
// the same name) with one field of every type the fast path compares: the
// property tests load it.
const Probe = "x_ferry_probe"

func digits(n int) *int { return &n }

var probe = map[string]FieldDef{
	"id":           {Type: "integer", Store: true},
	"x_name":       {Type: "char", Store: true, Translate: true},
	"x_char":       {Type: "char", Store: true},
	"x_text":       {Type: "text", Store: true},
	"x_sel":        {Type: "selection", Store: true},
	"x_int":        {Type: "integer", Store: true},
	"x_float":      {Type: "float", Store: true, Digits: digits(-1)},
	"x_price":      {Type: "float", Store: true, Digits: digits(2)},
	"x_amount":     {Type: "monetary", Store: true},
	"x_flag":       {Type: "boolean", Store: true},
	"x_date":       {Type: "date", Store: true},
	"x_stamp":      {Type: "datetime", Store: true},
	"x_partner_id": {Type: "many2one", Relation: "res.partner", Store: true},
	"x_tag_ids":    {Type: "many2many", Relation: "res.partner.category", Store: true},
}

// relations are the many2many tables Odoo's models name themselves
// (others follow Odoo's default naming).
var relations = map[string][3]string{
	"res.partner.category_id":               {"res_partner_res_partner_category_rel", "partner_id", "category_id"},
	"res.partner.category.partner_ids":      {"res_partner_res_partner_category_rel", "category_id", "partner_id"},
	"product.template.taxes_id":             {"product_taxes_rel", "prod_id", "tax_id"},
	"product.template.supplier_taxes_id":    {"product_supplier_taxes_rel", "prod_id", "tax_id"},
	"res.partner.channel_ids":               {"discuss_channel_member", "partner_id", "channel_id"},
	"res.partner.starred_message_ids":       {"mail_message_res_partner_starred_rel", "res_partner_id", "mail_message_id"},
	"product.product.route_ids":             {"stock_route_product", "product_id", "route_id"},
	"product.template.route_ids":            {"stock_route_product", "product_id", "route_id"},
	"product.category.route_ids":            {"stock_route_categ", "categ_id", "route_id"},
	"product.template.optional_product_ids": {"product_optional_rel", "src_id", "dest_id"},
}

// inherits are the _inherits links of the snapshot's models.
var inherits = map[string][2]string{"product.product": {"product.template", "product_tmpl_id"}}

// Schema returns the snapshot's models (and the probe model) by name.
func Schema() map[string]map[string]FieldDef {
	var s struct {
		Models map[string]map[string]FieldDef `json:"models"`
	}
	if err := json.Unmarshal(schemaJSON, &s); err != nil {
		panic("fastpathtest: odoo18.json: " + err.Error())
	}
	s.Models[Probe] = probe
	return s.Models
}

// Fields returns verify's description of fields of model, as fields_get
// would give it (Digits from the probe's definition, else unknown).
func Fields(model string, names ...string) []verify.Field {
	defs := Schema()[model]
	out := make([]verify.Field, len(names))
	for i, n := range names {
		d, ok := defs[n]
		if !ok {
			panic(fmt.Sprintf("fastpathtest: %s has no field %s", model, n))
		}
		out[i] = verify.Field{Name: n, Type: d.Type, Relation: d.Relation, Digits: -1}
		if d.Digits != nil {
			out[i].Digits = *d.Digits
		}
	}
	return out
}

// DB is a scratch database.
type DB struct {
	DSN  string
	Conn *pgx.Conn
}

// NewDB creates a uniquely named database on the machine's PostgreSQL
// (testutil.PostgresURL) with the Odoo-shaped tables, and drops it when
// the test ends. Without PostgreSQL the test is skipped, or fails under
// FERRY_INTEGRATION=1.
func NewDB(t testing.TB) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, testutil.PostgresURL())
	if err != nil {
		testutil.Unavailable(t, "PostgreSQL", err)
		return nil
	}
	name := testutil.UniqueName("ferry_fastpath")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" ENCODING 'UTF8' TEMPLATE template0"); err != nil {
		_ = admin.Close(ctx)
		t.Fatalf("create database %s: %v", name, err)
	}
	u, err := url.Parse(testutil.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	db := &DB{DSN: u.String()}
	t.Cleanup(func() {
		ctx := context.Background()
		if db.Conn != nil {
			_ = db.Conn.Close(ctx)
		}
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_ = admin.Close(ctx)
	})
	if db.Conn, err = pgx.Connect(ctx, db.DSN); err != nil {
		t.Fatal(err)
	}
	if err := Create(ctx, db.Conn); err != nil {
		t.Fatal(err)
	}
	return db
}

// Create makes the tables of every model of Schema, their many2many
// tables, ir_model_fields (with the rows describing them) and
// ir_model_data's indexes, as Odoo 18 does.
func Create(ctx context.Context, conn *pgx.Conn) error {
	models := Schema()
	names := make([]string, 0, len(models))
	for m := range models {
		names = append(names, m)
	}
	sort.Strings(names)
	var ddl []string
	rels := map[string]bool{}
	ddl = append(ddl, `CREATE TABLE ir_model_fields (id serial PRIMARY KEY, model varchar NOT NULL, name varchar NOT NULL,
		ttype varchar NOT NULL, relation varchar, related varchar, relation_table varchar, column1 varchar, column2 varchar,
		domain varchar, translate boolean, company_dependent boolean, store boolean)`)
	var fieldRows [][]any
	for _, m := range names {
		table := tableOf(m)
		cols := []string{"id serial PRIMARY KEY"}
		fields := sortedFields(models[m])
		for _, n := range fields {
			f := models[m][n]
			row := []any{m, n, f.Type, nullable(f.Relation), nil, nil, nil, nil, f.Translate, f.CompanyDependent, f.Store}
			if link, ok := inherits[m]; ok && !f.Store {
				row[4] = link[1] + "." + n
			}
			if f.Type == "many2many" && f.Store {
				rel := relation(m, n, f.Relation)
				row[5], row[6], row[7] = rel[0], rel[1], rel[2]
				if !rels[rel[0]] {
					rels[rel[0]] = true
					ddl = append(ddl, fmt.Sprintf(`CREATE TABLE %s (%s integer NOT NULL, %s integer NOT NULL, PRIMARY KEY (%s, %s))`,
						rel[0], rel[1], rel[2], rel[1], rel[2]),
						fmt.Sprintf(`CREATE INDEX ON %s (%s, %s)`, rel[0], rel[2], rel[1]))
				}
			}
			fieldRows = append(fieldRows, row)
			if typ := columnType(f); n != "id" && f.Store && typ != "" {
				cols = append(cols, fmt.Sprintf(`"%s" %s`, n, typ))
			}
		}
		ddl = append(ddl, fmt.Sprintf("CREATE TABLE %s (\n  %s\n)", table, strings.Join(cols, ",\n  ")))
	}
	ddl = append(ddl, `CREATE UNIQUE INDEX ir_model_data_module_name_uniq_index ON ir_model_data (module, name)`,
		`CREATE INDEX ir_model_data_model_res_id_index ON ir_model_data (model, res_id)`)
	for _, q := range ddl {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("fixture: %s: %w", firstLine(q), err)
		}
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"ir_model_fields"},
		[]string{"model", "name", "ttype", "relation", "related", "relation_table", "column1", "column2", "translate", "company_dependent", "store"},
		pgx.CopyFromSlice(len(fieldRows), func(i int) ([]any, error) {
			r := fieldRows[i]
			return []any{r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10]}, nil
		}))
	if err != nil {
		return fmt.Errorf("fixture: ir_model_fields: %w", err)
	}
	return nil
}

// tableOf is Odoo's default table name; the probe model is x_ferry_probe.
func tableOf(model string) string { return strings.ReplaceAll(model, ".", "_") }

func relation(model, field, comodel string) [3]string {
	if r, ok := relations[model+"."+field]; ok {
		return r
	}
	a, b := tableOf(model), tableOf(comodel)
	t := a + "_" + b + "_rel"
	if b < a {
		t = b + "_" + a + "_rel"
	}
	return [3]string{t, a + "_id", b + "_id"}
}

// columnType is the column Odoo 18 makes for a stored field ("" for none).
func columnType(f FieldDef) string {
	if f.Translate || f.CompanyDependent {
		return "jsonb"
	}
	switch f.Type {
	case "char", "selection", "reference":
		return "varchar"
	case "text", "html":
		return "text"
	case "integer", "many2one", "many2one_reference":
		return "integer"
	case "float":
		if f.Digits != nil && *f.Digits < 0 {
			return "double precision"
		}
		return "numeric"
	case "monetary":
		return "numeric"
	case "boolean":
		return "boolean"
	case "date":
		return "date"
	case "datetime":
		return "timestamp without time zone"
	case "json", "properties", "properties_definition":
		return "jsonb"
	}
	return ""
}

func sortedFields(m map[string]FieldDef) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
