package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
	"github.com/ferry-migrate/ferry/internal/validate"
)

const translatedPlan = `version: 1
name: t
namespace: acme_t
target: {url: "http://x", api_key: {env: K}}
sources:
  s: {kind: csv, path: .}
entities:
  - name: products
    model: product.template
    from: {source: s, file: p.csv}
    key: code
    fields:
      name: row.name
    translations:
      name: {fr_BE: row.name_fr, nl_BE: upper(row.name_nl)}
`

// prepareTranslated writes the plan (after edit) and p.csv, and prepares
// it against the recorded Odoo 18 schema.
func prepareTranslated(t *testing.T, edit func(string) string, csv string) (*pipeline.Pipeline, error) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plan.yaml"), []byte(edit(translatedPlan)), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p.csv"), []byte(csv), 0o644))
	p, ds, err := plan.Load(filepath.Join(dir, "plan.yaml"))
	require.NoError(t, err)
	require.Empty(t, ds)
	raw, err := orm.RecordedSchema(18)
	require.NoError(t, err)
	schema, _, err := validate.ParseSchema(raw, "odoo18")
	require.NoError(t, err)
	return pipeline.Prepare(context.Background(), p, pipeline.Options{Schema: schema})
}

func TestTranslationsAreMappedPerLanguage(t *testing.T) {
	pl, err := prepareTranslated(t, func(s string) string { return s },
		"code,name,name_fr,name_nl\nP1,Chair,Chaise,stoel\nP2,Table,,\nP3,Lamp,"+strings.Repeat("x", 10)+",lamp\n")
	require.NoError(t, err)
	defer pl.Close()
	var rows []map[string]map[string]string
	require.NoError(t, pl.Stream(context.Background(), pl.Entities()[0], func(o pipeline.Outcome) error {
		require.Equal(t, pipeline.Ready, o.State, "%v", o.Findings)
		rows = append(rows, o.Row.Translations)
		return nil
	}))
	require.Equal(t, []map[string]map[string]string{
		{"name": {"fr_BE": "Chaise", "nl_BE": "STOEL"}},
		{"name": {"fr_BE": "", "nl_BE": ""}}, // no translation: Odoo falls back to en_US
		{"name": {"fr_BE": "xxxxxxxxxx", "nl_BE": "LAMP"}},
	}, rows)
}

func TestTranslationsOfFieldsOdooDoesNotTranslate(t *testing.T) {
	cases := []struct{ name, with, code string }{
		{"not translatable", "default_code: {fr_BE: row.name_fr}", pipeline.CodeNotTranslatable},
		{"no such field", "nom: {fr_BE: row.name_fr}", "VAL301"},
		{"bad expression", "name: {fr_BE: 'row.name_fr +'}", "MAP200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := prepareTranslated(t, func(s string) string {
				return strings.Replace(s, "name: {fr_BE: row.name_fr, nl_BE: upper(row.name_nl)}", tc.with, 1)
			}, "code,name,name_fr\n")
			var pe *pipeline.PlanError
			require.True(t, errors.As(err, &pe), "%v", err)
			require.Equal(t, tc.code, pe.Findings[0].Code, "%v", pe.Findings)
			require.Equal(t, "products", pe.Findings[0].Entity)
			require.Contains(t, pe.Findings[0].Field, "[fr_BE]")
			require.Contains(t, pe.Findings[0].Pos.File, "plan.yaml:15:")
		})
	}
}
