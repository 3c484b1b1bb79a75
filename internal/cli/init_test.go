package cli

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
)

const initCSV = "Cust. No;Company;E-Mail;Tel;Straße;zip_code;City;Country;Credit limit;Is company;Created;Segment\n" +
	"C001;Acme SA;Info@Acme.example;+32 2 555 01 01;Rue Haute 1;1000;Bruxelles;BE;1.234,50;Y;31/01/2024;gold\n" +
	"C002;Globex;sales@globex.example;+33 1 55 55 01 02;Rue de Rivoli 2;75001;Paris;FR;12,00;N;01/12/2023;silver\n" +
	"C003;Initech GmbH;;;Hauptstraße 3;10115;Berlin;DE;;Y;15/06/2022;\n"

// initDir writes exports/customers.csv into a new directory.
func initDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "exports"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "exports", "customers.csv"), []byte(initCSV), 0o644))
	return dir
}

func requireDraft(t *testing.T, plan string) string {
	t.Helper()
	b, err := os.ReadFile(plan)
	require.NoError(t, err)
	y := string(b)
	for _, want := range []string{
		"sources:\n  exports: {kind: csv, path: exports}",
		"from: {source: exports, file: customers.csv}",
		`key: "Cust. No"  # guessed: unique and never empty in the 3 sampled rows`,
		`email: lower(trim(row["E-Mail"]))  # matched by name (1.00)`,
		`zip: trim(row.zip_code)  # matched by synonym zip_code ~ zip (0.90)`,
		`country_id: lookup("res.country", "code", upper(trim(row.Country)))`,
		`credit_limit: parse_number(row["Credit limit"], "de")`,
		`# unmatched column "Created" (date, format DD/MM/YYYY)`,
		`# TODO required: autopost_bills`,
		`api_key: {env: FERRY_ODOO_API_KEY}`,
	} {
		require.Contains(t, y, want)
	}
	return y
}

// validates runs ferry validate on the drafted plan and expects no
// finding: the plan loads and passes the schema.
func validates(t *testing.T, plan string, args ...string) {
	t.Helper()
	t.Setenv("FERRY_MASK_KEY", "init-test-mask-key-0123456789")
	code, out, errs := run(t, append([]string{"validate", plan, "--quarantine", filepath.Join(filepath.Dir(plan), "quarantine")}, args...)...)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.NotContains(t, errs, "error")
	require.Regexp(t, `customers\s+res.partner\s+3\s+3`, out)
}

func TestInitDraftsAPlanOfflineThatValidates(t *testing.T) {
	dir := initDir(t)
	snap, err := orm.RecordedSchema(18)
	require.NoError(t, err)
	schema := filepath.Join(dir, "target-schema.json")
	require.NoError(t, os.WriteFile(schema, snap, 0o644))
	plan := filepath.Join(dir, "plan.yaml")
	args := []string{"init", "--source", "csv:" + filepath.Join(dir, "exports"), "--from", "customers.csv",
		"--model", "res.partner", "--schema", schema, "-o", plan}
	code, out, errs := run(t, args...)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, `wrote `+plan+`: 9 of 12 columns matched to res.partner fields, key "Cust. No"`)
	y := requireDraft(t, plan)
	require.Contains(t, y, "schema: target-schema.json")
	validates(t, plan)

	code, _, errs = run(t, args...)
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "exists: --force overwrites it")
	code, _, errs = run(t, append(args, "--force")...)
	require.Equal(t, ExitOK, code, errs)
}

func TestInitReadsTheTargetsFields(t *testing.T) {
	dir := initDir(t)
	sb, err := sandbox.New(sandbox.Options{Version: 18})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	t.Setenv("FERRY_ODOO_URL", sb.URL)
	t.Setenv("FERRY_ODOO_DB", sb.Database())
	t.Setenv("FERRY_ODOO_LOGIN", "admin")
	t.Setenv("FERRY_ODOO_API_KEY", sb.AdminKey())
	plan := filepath.Join(dir, "plan.yaml")
	code, out, errs := run(t, "init", "--source", "csv:"+filepath.Join(dir, "exports", "customers.csv"),
		"--model", "res.partner", "--entity", "customers", "-o", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	y := requireDraft(t, plan)
	require.Contains(t, y, "url: \""+sb.URL+"\"")
	require.Contains(t, y, "database: "+sb.Database())
	require.NotContains(t, y, sb.AdminKey(), "the key stays in the environment")

	schema := filepath.Join(dir, "target-schema.json")
	code, out, errs = run(t, "schema", "snapshot", "-o", schema, "res.partner", "res.country")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	validates(t, plan, "--schema", schema)
}

func TestInitRefusesLiteralSecretsAndMissingFlags(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"literal DSN", []string{"--source", "postgres:postgres://bob:s3cret@db/erp", "--from", "customers", "--model", "res.partner"}, "refusing a literal DSN"},
		{"no model", []string{"--source", "csv:x.csv"}, "--source and --model are required"},
		{"no table", []string{"--source", "postgres:LEGACY_DSN", "--model", "res.partner"}, "--from TABLE is required"},
		{"odoo source", []string{"--source", "odoo:https://old.example.com", "--model", "res.partner"}, "declare an odoo source by hand"},
		{"directory without file", []string{"--source", "csv:" + dir, "--model", "res.partner"}, "name the file in it with --from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := run(t, append([]string{"init", "-o", plan}, tc.args...)...)
			require.Equal(t, ExitUsage, code, errs)
			require.Contains(t, errs, tc.want)
			require.False(t, strings.Contains(errs, "s3cret"), "the secret is not echoed")
			require.NoFileExists(t, plan)
		})
	}
	t.Setenv("FERRY_ODOO_URL", "https://admin:hunter2@erp.example.com")
	dirCSV := initDir(t)
	code, _, errs := run(t, "init", "--source", "csv:"+filepath.Join(dirCSV, "exports", "customers.csv"), "--model", "res.partner", "-o", plan)
	require.Equal(t, ExitUsage, code, errs)
	require.Contains(t, errs, "refusing a password in the target URL")
	require.NotContains(t, errs, "hunter2")
}

// A database source types its columns: init writes no parser for them.
func TestInitReadsADatabaseTable(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "legacy.db"))
	require.NoError(t, err)
	_, err = db.Exec(`create table customers (customer_code text primary key, name text, email text, credit_limit real, active boolean);
		insert into customers values ('K1', 'Acme', 'a@acme.example', 1500.5, 1), ('K2', 'Globex', 'b@globex.example', 0, 0)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	snap, err := orm.RecordedSchema(18)
	require.NoError(t, err)
	schema := filepath.Join(dir, "schema.json")
	require.NoError(t, os.WriteFile(schema, snap, 0o644))
	plan := filepath.Join(dir, "plan.yaml")
	code, out, errs := run(t, "init", "--source", "sqlite:"+filepath.Join(dir, "legacy.db"), "--from", "customers",
		"--model", "res.partner", "--schema", schema, "-o", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	b, err := os.ReadFile(plan)
	require.NoError(t, err)
	y := string(b)
	require.Contains(t, y, "legacy: {kind: sqlite, path: legacy.db}")
	require.Contains(t, y, "from: {source: legacy, table: customers}")
	require.Contains(t, y, "key: customer_code")
	require.Contains(t, y, "credit_limit: row.credit_limit")
	t.Setenv("FERRY_MASK_KEY", "init-test-mask-key-0123456789")
	code, out, errs = run(t, "validate", plan, "--quarantine", filepath.Join(dir, "quarantine"))
	require.Equal(t, ExitOK, code, "%s\n%s\n%s", out, errs, y)
}
