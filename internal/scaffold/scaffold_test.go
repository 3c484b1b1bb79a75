package scaffold

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/validate"
)

var customerColumns = []string{"Cust. No", "Company", "E-Mail", "Tel", "Straße", "zip_code", "City", "Country",
	"Credit limit", "Is company", "Created", "Segment"}

var customerRows = [][]any{
	{"C001", "Acme SA", "Info@Acme.example", "+32 2 555 01 01", "Rue Haute 1", "1000", "Bruxelles", "BE", "1.234,50", "Y", "31/01/2024", "gold"},
	{"C002", "Globex", "sales@globex.example", "+33 1 55 55 01 02", "Rue de Rivoli 2", "75001", "Paris", "FR", "12,00", "N", "01/12/2023", "silver"},
	{"C003", "Initech GmbH", "", "", "Hauptstraße 3", "10115", "Berlin", "de", "", "Y", "15/06/2022", ""},
}

func customerInput(t *testing.T) Input {
	t.Helper()
	b, err := orm.RecordedSchema(18)
	require.NoError(t, err)
	s, _, err := validate.ParseSchema(b, "odoo18")
	require.NoError(t, err)
	var cols []record.Column
	for _, c := range customerColumns {
		cols = append(cols, record.Column{Name: c, Type: record.TypeString})
	}
	var rows []map[string]any
	for _, r := range customerRows {
		rows = append(rows, record.New(record.Position{}, customerColumns, r).Values)
	}
	return Input{Name: "customers", Namespace: "customers_migration", Entity: "customers", Model: "res.partner",
		SourceName: "exports", Source: source.Spec{Kind: "csv", Path: "exports"},
		From:    source.Select{Source: "exports", File: "customers.csv"},
		Target:  Target{SecretKey: "api_key", SecretEnv: "FERRY_ODOO_API_KEY", Schema: "schema.json"},
		Columns: cols, Rows: rows, Fields: s["res.partner"], Origin: "exports/customers.csv", SchemaOrigin: "schema.json"}
}

func TestBuildDraftsAPlanThatPassesTheTargetsSchema(t *testing.T) {
	in := customerInput(t)
	res, err := Build(context.Background(), in)
	require.NoError(t, err)
	y := string(res.YAML)
	t.Log("\n" + y)
	require.Equal(t, "Cust. No", res.Key)
	for _, want := range []string{
		`key: "Cust. No"  # guessed: unique and never empty in the 3 sampled rows`,
		`ref: trim(row["Cust. No"])  # guess: the key column`,
		`name: trim(row.Company)  # matched by synonym company ~ name`,
		`email: lower(trim(row["E-Mail"]))  # matched by name (1.00)`,
		`phone: trim(row.Tel)`,
		`street: trim(row["Straße"])`,
		`zip: trim(row.zip_code)  # matched by synonym zip_code ~ zip (0.90)`,
		`country_id: lookup("res.country", "code", upper(trim(row.Country)))`,
		`credit_limit: parse_number(row["Credit limit"], "de")`,
		`guessed number locale de from 2 values`,
		`is_company: bool(row["Is company"])`,
		`# unmatched column "Created" (date, format DD/MM/YYYY)`,
		`# unmatched column "Segment" (text)`,
		`# TODO required: autopost_bills (selection "Auto-post bills")`,
		`api_key: {env: FERRY_ODOO_API_KEY}`,
	} {
		require.Contains(t, y, want)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "plan.yaml")
	require.NoError(t, os.WriteFile(path, res.YAML, 0o644))
	p, ds, err := plan.Load(path)
	require.NoError(t, err)
	require.Empty(t, ds)
	_, err = pipeline.Prepare(context.Background(), p, pipeline.Options{Schema: validate.Schema{"res.partner": in.Fields}})
	var pe *pipeline.PlanError
	if errors.As(err, &pe) {
		t.Log(pe.Findings)
	}
	require.NoError(t, err, "the draft passes the schema checks")
}

func TestBuildWritesDateParsersAndSelectionMaps(t *testing.T) {
	fields := map[string]validate.Field{
		"name":     {Name: "name", Type: "char", String: "Name", Required: true},
		"date":     {Name: "date", Type: "date", String: "Date"},
		"type":     {Name: "type", Type: "selection", String: "Type", Selection: [][]any{{"out_invoice", "Customer Invoice"}, {"in_invoice", "Vendor Bill"}}},
		"amount":   {Name: "amount", Type: "monetary", String: "Amount"},
		"computed": {Name: "computed", Type: "char", String: "Reference", Readonly: true},
	}
	cols := []record.Column{{Name: "number"}, {Name: "Datum"}, {Name: "Type"}, {Name: "amt"}, {Name: "reference"}}
	rows := []map[string]any{
		{"number": "1", "Datum": "31.01.2024", "Type": "Customer invoice", "amt": "1,234.50", "reference": "r1"},
		{"number": "2", "Datum": "01.12.2023", "Type": "vendor bill", "amt": "10.00", "reference": "r2"},
	}
	fields["date"] = validate.Field{Name: "date", Type: "date", String: "Datum"}
	res, err := Build(context.Background(), Input{Name: "moves", Namespace: "moves_migration", Entity: "moves", Model: "x.move",
		SourceName: "legacy", Source: source.Spec{Kind: "postgres"}, From: source.Select{Source: "legacy", Table: "moves"},
		Target:  Target{URL: "https://erp.example.com", Database: "erp", Login: "bot", SecretKey: "password", SecretEnv: "ERP_PASSWORD"},
		Columns: cols, Rows: rows, Fields: fields, Origin: "table moves", SchemaOrigin: "https://erp.example.com"})
	require.NoError(t, err)
	y := string(res.YAML)
	t.Log("\n" + y)
	require.Contains(t, y, `date: parse_date(row.Datum, "DD.MM.YYYY")  # matched by label "Datum" (0.95); date, format DD.MM.YYYY; guessed date format DD.MM.YYYY from 2 values`)
	require.Contains(t, y, `type: 'map_value(trim(row.Type), {"Customer invoice": "out_invoice", "vendor bill": "in_invoice"})'`)
	require.Contains(t, y, `amount: parse_number(row.amt, "en")`)
	require.Contains(t, y, `# unmatched column "reference" (text)`, "a readonly field is never a match")
	require.Contains(t, y, `password: {env: ERP_PASSWORD}`)
}
