package plan_test

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const readmeFile = "../../README.md"

// TestPlanReferenceDocumentsEveryKey fails, naming the key, when a
// property of docs/plan.schema.json (at any depth, in $defs too) is not
// documented in the README's "Plan reference" section: a plan key added to
// the Go types must be documented there too. A key counts as documented
// when it is written as `key` in the first cell of a table row there; a
// mention anywhere in the text would let a key pass on a word that happens
// to be a value of another key (`exact` is one of duplicates' normalize
// values).
func TestPlanReferenceDocumentsEveryKey(t *testing.T) {
	raw, err := os.ReadFile(schemaFile)
	require.NoError(t, err)
	var schema any
	require.NoError(t, json.Unmarshal(raw, &schema))
	keys := map[string]string{} // key → schema path of its first occurrence
	schemaKeys(schema, "#", keys)
	require.NotEmpty(t, keys)

	readme, err := os.ReadFile(readmeFile)
	require.NoError(t, err)
	section := planReference(string(readme))
	require.NotEmpty(t, section, `README.md has no "## Plan reference" section`)
	documented := keyCells(section)

	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !strings.Contains(documented, "`"+k+"`") {
			t.Errorf("plan key `%s` (%s) is not documented in README.md's Plan reference: "+
				"give it a table row whose first cell is `%s`", k, keys[k], k)
		}
	}
}

// schemaKeys records in keys the property names of schema and of every
// schema nested in it, with the path where each first appears.
func schemaKeys(schema any, at string, keys map[string]string) {
	switch s := schema.(type) {
	case []any:
		for _, sub := range s {
			schemaKeys(sub, at, keys)
		}
	case map[string]any:
		for _, kw := range sortedNames(s) {
			v := s[kw]
			switch kw {
			case "enum", "const", "default", "examples", "required":
				// values, not schemas
			case "properties", "$defs", "patternProperties", "dependentSchemas":
				named, _ := v.(map[string]any)
				for _, name := range sortedNames(named) {
					path := at + "/" + kw + "/" + name
					if _, seen := keys[name]; kw == "properties" && !seen {
						keys[name] = path
					}
					schemaKeys(named[name], path, keys)
				}
			default:
				schemaKeys(v, at+"/"+kw, keys)
			}
		}
	}
}

func sortedNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// planReference returns the README's "## Plan reference" section, up to
// the next level-two heading ("" when there is none).
func planReference(readme string) string {
	_, rest, ok := strings.Cut(readme, "\n## Plan reference\n")
	if !ok {
		return ""
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// keyCells returns the first cells of the section's table rows, one a
// line: where the reference names the keys it documents.
func keyCells(section string) string {
	var b strings.Builder
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.TrimSpace(line), "|")
		if len(cells) > 2 && cells[0] == "" {
			b.WriteString(cells[1] + "\n")
		}
	}
	return b.String()
}

// TestMaskingSectionSaysWhenMaskingApplies: the CLI masks whenever
// target.environment is not production, unset included (cli maskerFor),
// and checks unmasked personal fields (SEC602) only for test (pipeline
// checkUnmasked). The README's Masking section must say both; it once said
// masking applied when the environment is test.
func TestMaskingSectionSaysWhenMaskingApplies(t *testing.T) {
	readme, err := os.ReadFile(readmeFile)
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n### Masking personal data for test runs\n")
	require.True(t, ok, "README.md has no Masking section")
	section, _, _ = strings.Cut(section, "\n#")
	text := strings.Join(strings.Fields(section), " ")
	require.NotContains(t, text, "When the plan's `target.environment` is `test`")
	for _, want := range []string{
		"Unless the plan's `target.environment` is `production` — so when it is `test` and also when it is unset —",
		"A `production` target is never masked.",
		"Only `environment: test` also refuses personal fields",
		"(`SEC602`",
		"With `environment` unset, such fields load as the source has them, without a finding",
	} {
		require.Contains(t, text, want)
	}
}
