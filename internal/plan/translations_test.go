package plan_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/plan"
)

const translated = `version: 1
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
      name: {fr_BE: row.name_fr, nl_BE: row.name_nl}
      description_sale:
        nl_BE: trim(row.sale_nl)
        sr@latin: row.sale_sr
        es_419: 12
`

func TestParseTranslations(t *testing.T) {
	p, ds := plan.Parse([]byte(translated), "plan.yaml")
	require.Empty(t, ds)
	tr := p.Entities[0].Translations
	require.Len(t, tr, 5)
	var got []string
	for _, x := range tr {
		got = append(got, x.Label()+"="+x.Expr)
	}
	require.Equal(t, []string{"name[fr_BE]=row.name_fr", "name[nl_BE]=row.name_nl", "description_sale[nl_BE]=trim(row.sale_nl)",
		"description_sale[sr@latin]=row.sale_sr", "description_sale[es_419]=12"}, got)
	require.Equal(t, []string{"name", "description_sale"}, tr.Fields())
	require.Equal(t, []string{"es_419", "fr_BE", "nl_BE", "sr@latin"}, p.Languages())
	require.Equal(t, 15, tr[0].Pos.Line)
	require.Equal(t, 17, tr[2].Pos.Line)
}

func TestParseTranslationProblems(t *testing.T) {
	cases := []struct {
		name, edit, with, code, hint string
	}{
		{"dash", "fr_BE: row.name_fr", "fr-be: row.name_fr", "CFG109", "write fr_BE"},
		{"not a code", "fr_BE: row.name_fr", "French: row.name_fr", "CFG109", "fr_BE, nl_BE"},
		{"en_US of a mapped field", "fr_BE: row.name_fr", "en_US: row.name_en", "CFG110", "remove en_US"},
		{"not a mapping", "name: {fr_BE: row.name_fr, nl_BE: row.name_nl}", "name: row.name_fr", "CFG101", ""},
		{"unknown key", "    translations:", "    translation:", "CFG101", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(translated, tc.edit, tc.with, 1)
			require.NotEqual(t, translated, src)
			_, ds := plan.Parse([]byte(src), "plan.yaml")
			require.NotEmpty(t, ds)
			require.Equal(t, tc.code, ds[0].Code, "%v", ds)
			require.Contains(t, ds[0].Hint, tc.hint)
		})
	}
}

func TestEnUSTranslationOfAnUnmappedField(t *testing.T) {
	src := strings.Replace(translated, "nl_BE: trim(row.sale_nl)", "en_US: trim(row.sale_en)", 1)
	p, ds := plan.Parse([]byte(src), "plan.yaml")
	require.Empty(t, ds)
	require.Equal(t, []string{"es_419", "fr_BE", "nl_BE", "sr@latin"}, p.Languages(), "en_US is the base language, always active")
}
