package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
	"github.com/ferry-migrate/ferry/internal/secret"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const translationsCSV = "code,name,name_fr,name_nl,sale_nl\n" +
	"P1,Chair,Chaise,Stoel,Comfortabele stoel\n" +
	"P2,Table,Table,Tafel,\n" +
	"P3,Lamp,Lampe,,Leeslamp\n"

const translationsEntities = `  - name: products
    model: product.template
    from: {source: legacy, file: products.csv}
    key: code
    fields:
      name: row.name
      default_code: row.code
    translations:
      name: {fr_BE: row.name_fr, nl_BE: row.name_nl}
      description_sale: {nl_BE: row.sale_nl}
`

// translatedPlan starts a sandbox of Odoo version (with fr_BE and nl_BE
// active when activate), writes the products plan and CSV, and returns the
// plan's path and an admin client.
func translatedPlan(t *testing.T, version int, activate bool) (string, *odoo.Client) {
	t.Helper()
	key := fmt.Sprintf("tr-key-%d", version)
	sb, err := sandbox.New(sandbox.Options{Version: version, AdminKey: key})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "products.csv"), []byte(translationsCSV), 0o644))
	plan := filepath.Join(dir, "plan.yaml")
	require.NoError(t, os.WriteFile(plan, []byte(fmt.Sprintf(`version: 1
name: translated
namespace: legacy_tr
target: {url: %s, database: %s, login: admin, api_key: {env: TR_KEY}, environment: test}
backup: none
sources:
  legacy: {kind: csv, path: data}
entities:
%s`, sb.URL, sb.Database(), translationsEntities)), 0o644))
	t.Setenv("TR_KEY", key)
	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New(key)})
	require.NoError(t, err)
	if activate {
		ids, err := c.Search(context.Background(), "res.lang", odoo.Domain{[]any{"code", "in", []any{"fr_BE", "nl_BE"}}, []any{"active", "=", false}}, odoo.Page{})
		require.NoError(t, err)
		require.Len(t, ids, 2)
		require.NoError(t, c.Write(context.Background(), "res.lang", ids, map[string]any{"active": true}))
	}
	return plan, c
}

// readLang reads one field of the record of an external ID in lang.
func readLang(t *testing.T, c *odoo.Client, xmlid, field, lang string) any {
	t.Helper()
	ctx := context.Background()
	model, id, err := c.Resolve(ctx, xmlid)
	require.NoError(t, err)
	v, err := c.Execute(ctx, model, "read", []any{[]any{id}}, map[string]any{"fields": []any{field}, "context": map[string]any{"lang": lang}})
	require.NoError(t, err)
	return v.([]any)[0].(map[string]any)[field]
}

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/cli -run %s -update", t.Name())
	require.Equal(t, string(want), got)
}

var reportsLine = regexp.MustCompile(`(?m)^reports: .*$`)

// Products with fr_BE and nl_BE names load with their translations,
// verify clean per language, and a translation changed in the target is
// reported as name[nl_BE] with both values.
func TestTranslationsLoadVerifyAndReportAnEdit(t *testing.T) {
	for _, version := range []int{18, 19} {
		t.Run(fmt.Sprint("odoo", version), func(t *testing.T) {
			plan, c := translatedPlan(t, version, true)
			code, out, errs := run(t, "run", plan)
			require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
			require.Contains(t, out, "translations products: 3 written, 0 unchanged, 0 failed")

			require.Equal(t, "Chair", readLang(t, c, "legacy_tr.products_P1", "name", "en_US"))
			require.Equal(t, "Chaise", readLang(t, c, "legacy_tr.products_P1", "name", "fr_BE"))
			require.Equal(t, "Stoel", readLang(t, c, "legacy_tr.products_P1", "name", "nl_BE"))
			require.Equal(t, "Lamp", readLang(t, c, "legacy_tr.products_P3", "name", "nl_BE"), "no nl_BE name: Odoo reads en_US")
			require.Equal(t, "Leeslamp", readLang(t, c, "legacy_tr.products_P3", "description_sale", "nl_BE"))
			require.Equal(t, "Leeslamp", readLang(t, c, "legacy_tr.products_P3", "description_sale", "fr_BE"),
				"a translation set on an empty field is its en_US value too")

			code, out, errs = run(t, "verify", plan)
			require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
			golden(t, "translations/verify-clean.golden", reportsLine.ReplaceAllString(out, "reports: …"))

			_, id, err := c.Resolve(context.Background(), "legacy_tr.products_P2")
			require.NoError(t, err)
			_, err = c.Execute(context.Background(), "product.template", "update_field_translations", []any{[]any{id}},
				map[string]any{"field_name": "name", "translations": map[string]any{"nl_BE": "Bureau"}})
			require.NoError(t, err)
			code, out, errs = run(t, "verify", plan)
			require.Equal(t, ExitDifferences, code, "%s\n%s", out, errs)
			golden(t, "translations/verify-edited.golden", reportsLine.ReplaceAllString(out, "reports: …"))
		})
	}
}

// A second run writes no translation; a changed translation is written
// alone, though its record is otherwise unchanged; verify stays clean.
func TestTranslationsRerunWritesOnlyWhatChanged(t *testing.T) {
	plan, c := translatedPlan(t, 18, true)
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	code, out, errs = run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Regexp(t, `products\s+product.template\s+3\s+0\s+3\s+0\s+0\s+holds`, out)
	require.Contains(t, out, "translations products: 0 written, 3 unchanged, 0 failed")

	csv := filepath.Join(filepath.Dir(plan), "data", "products.csv")
	require.NoError(t, os.WriteFile(csv, []byte(strings.Replace(translationsCSV, "P2,Table,Table,Tafel,", "P2,Table,Table,Eettafel,", 1)), 0o644))
	code, out, errs = run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Regexp(t, `products\s+product.template\s+3\s+0\s+3\s+0\s+0\s+holds`, out)
	require.Contains(t, out, "translations products: 1 written, 2 unchanged, 0 failed")
	require.Equal(t, "Eettafel", readLang(t, c, "legacy_tr.products_P2", "name", "nl_BE"))
	require.Equal(t, "Table", readLang(t, c, "legacy_tr.products_P2", "name", "fr_BE"))

	code, out, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
}

// Translations into languages the target has not activated are refused
// before anything is written, naming the languages; verify says the same.
func TestTranslationsIntoInactiveLanguages(t *testing.T) {
	plan, c := translatedPlan(t, 19, false)
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitUsage, code, "%s\n%s", out, errs)
	require.Contains(t, errs, "languages fr_BE, nl_BE are not active in the target: the plan's translations need them")
	n, err := c.SearchCount(context.Background(), "product.template", odoo.Domain{[]any{"default_code", "in", []any{"P1", "P2", "P3"}}})
	require.NoError(t, err)
	require.Zero(t, n, "nothing was written")

	code, out, errs = run(t, "verify", plan)
	require.Equal(t, ExitUsage, code, "%s\n%s", out, errs)
	require.Contains(t, errs, "languages fr_BE, nl_BE are not active in the target")
}

// A rehearsal activates the plan's languages in its sandbox (a schema
// snapshot does not record which languages the target has).
func TestTranslationsRehearse(t *testing.T) {
	plan, _ := translatedPlan(t, 18, false)
	raw, err := orm.RecordedSchema(18)
	require.NoError(t, err)
	schema := filepath.Join(filepath.Dir(plan), "schema.json")
	require.NoError(t, os.WriteFile(schema, raw, 0o644))
	code, out, errs := run(t, "run", plan, "--rehearse", "--schema", schema)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "translations products: 3 written, 0 unchanged, 0 failed")
}
