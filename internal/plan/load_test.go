package plan_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mask"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/source/open"
)

const good = `version: 1
name: t
namespace: acme_t
target: {url: "http://x", api_key: {env: K}}
sources:
  s: {kind: csv, path: .}
entities:
  - name: customers
    model: res.partner
    from: {source: s, file: c.csv}
    key: [id, company]
    fields:
      name: trim(row.name)
      is_company: true
      ref: 12
    rules:
      - {required: [name]}
`

func TestParseGood(t *testing.T) {
	p, ds := plan.Parse([]byte(good), "plan.yaml")
	require.Empty(t, ds)
	require.Equal(t, 1, p.Version)
	e := p.Entities[0]
	require.Equal(t, plan.Keys{"id", "company"}, e.Key)
	require.Equal(t, []string{"name", "is_company", "ref"}, []string{e.Fields[0].Field, e.Fields[1].Field, e.Fields[2].Field})
	require.Equal(t, "true", e.Fields[1].Expr)
	require.Equal(t, "12", e.Fields[2].Expr)
	require.Equal(t, 13, e.Fields[0].Pos.Line)
	require.Equal(t, 13, e.Fields[0].Pos.Column)
	require.Len(t, p.Digest, 64)
	require.Equal(t, "K", p.Target.APIKey.Env)
}

func TestParseProblems(t *testing.T) {
	cases := []struct {
		name, edit, with string
		want             []string // "CODE@line:col" or "CODE"
	}{
		{"syntax", "version: 1", "version: [1", []string{"CFG100"}},
		{"unknown key", "    model: res.partner", "    modle: res.partner", []string{"CFG101@9:5", "CFG101"}},
		{"wrong type", "version: 1", "version: one", []string{"CFG101@1:10"}},
		{"literal api key", `api_key: {env: K}`, `api_key: "s3cret"`, []string{"CFG102@4:36"}},
		{"dsn with password", `s: {kind: csv, path: .}`, `s: {kind: postgres, dsn: "postgres://u:pw@h/db"}`, []string{"CFG102"}},
		{"unknown source", "from: {source: s,", "from: {source: nope,", []string{"CFG103@10:20"}},
		{"two rules in one", "{required: [name]}", "{required: [name], unique: [name]}", []string{"CFG106"}},
		{"bad regex", "{required: [name]}", "{field: name, regex: '('}", []string{"CFG108"}},
		{"version 2", "version: 1", "version: 2", []string{"CFG101"}},
		{"no line key", "    rules:", "    lines:\n      - {field: child_ids, from: {source: s, file: l.csv}, join: id, fields: {name: row.n}}\n    rules:", []string{"CFG105"}},
		{"duplicate entity", "entities:\n", "entities:\n  - {name: customers, model: m, from: {source: s}, key: id, fields: {a: '1'}}\n", []string{"CFG104"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(good, tc.edit, tc.with, 1)
			require.NotEqual(t, good, src)
			_, ds := plan.Parse([]byte(src), "plan.yaml")
			var got []string
			for _, d := range ds {
				got = append(got, d.Code)
			}
			for _, w := range tc.want {
				code, at, _ := strings.Cut(w, "@")
				require.Contains(t, got, code, "%v", ds)
				if at != "" {
					require.True(t, hasAt(ds, code, "plan.yaml:"+at), "want %s at %s, got %v", code, at, ds)
				}
			}
			if tc.name == "literal api key" {
				require.NotContains(t, ds[0].String(), "s3cret")
				require.Contains(t, ds[0].Hint, "{env: NAME}")
			}
		})
	}
}

func hasAt(ds []diag.Diagnostic, code, at string) bool {
	for _, d := range ds {
		if d.Code == code && d.Pos.File == at {
			return true
		}
	}
	return false
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := strings.NewReplacer("    model: res.partner", "    modle: res.partner", "version: 1", "version: x",
		`api_key: {env: K}`, `password: hunter2`).Replace(good)
	_, ds := plan.Parse([]byte(src), "plan.yaml")
	require.GreaterOrEqual(t, len(ds), 4, "%v", ds)
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("version: 1\nentities: [{}]"))
	f.Add([]byte("a: &x [*x]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ds := plan.Parse(b, "fuzz.yaml")
		if p == nil && len(ds) == 0 {
			t.Fatal("no plan and no finding")
		}
	})
}

// TestParseRemovedEntityKeys: lines_mode and an entity's normalize were
// accepted and read by no code; a plan still using one gets an unknown
// key finding at the key whose hint names what does the job.
func TestParseRemovedEntityKeys(t *testing.T) {
	cases := []struct{ name, key, hint string }{
		{"lines_mode", "    lines_mode: replace\n", "set replace: true on the entry under lines: (lines[].replace)"},
		{"normalize", "    normalize: {email: email}\n", "normalize_email(row.email)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(good, "    rules:\n", tc.key+"    rules:\n", 1)
			p, ds := plan.Parse([]byte(src), "plan.yaml")
			require.Nil(t, p)
			require.Len(t, ds, 1, "%v", ds)
			require.Equal(t, "CFG101", ds[0].Code)
			require.Equal(t, "plan.yaml:16:5", ds[0].Pos.File)
			require.Equal(t, "$.entities[0]."+tc.name, ds[0].Field)
			require.Equal(t, fmt.Sprintf("unknown key %q", tc.name), ds[0].Msg)
			require.Contains(t, ds[0].Hint, tc.hint)
		})
	}
}

// TestParseUniqueOnLines: the pipeline checks unique only across an
// entity's rows, never on lines, so a unique rule under lines: is refused
// when the plan loads instead of passing every line unchecked.
func TestParseUniqueOnLines(t *testing.T) {
	lines := "    lines:\n" +
		"      - field: child_ids\n" +
		"        from: {source: s, file: l.csv}\n" +
		"        join: id\n" +
		"        line_key: n\n" +
		"        fields: {name: row.n}\n" +
		"        rules:\n" +
		"          - {required: [name]}\n" +
		"          - {name: one-email, unique: [email]}\n" +
		"    rules:\n"
	p, ds := plan.Parse([]byte(strings.Replace(good, "    rules:\n", lines, 1)), "plan.yaml")
	require.NotNil(t, p)
	require.Len(t, ds, 1, "%v", ds)
	d := ds[0]
	require.Equal(t, "CFG106", d.Code)
	require.Equal(t, "plan.yaml:24:39", d.Pos.File)
	require.Equal(t, "$.entities[0].lines[0].rules[1].unique", d.Field)
	require.Equal(t, "rule one-email: unique is not supported on lines (child_ids)", d.Msg)
	require.Contains(t, d.Hint, "line_key is already unique within its parent")
	require.Contains(t, d.Hint, "check: rule on the entity")

	_, ds = plan.Parse([]byte(strings.Replace(good, "{required: [name]}", "{unique: [name]}", 1)), "plan.yaml")
	require.Empty(t, ds, "unique stays a check of the entity's rows")
}

// TestParseMaskKinds: a mask kind internal/mask does not know is a finding
// when the plan loads, at the kind, listing the kinds (it used to pass and
// quarantine each row with a value in the column, as MAP217); every kind
// it knows is accepted.
func TestParseMaskKinds(t *testing.T) {
	withMask := func(m string) []byte {
		return []byte(strings.Replace(good, "    rules:\n", "    mask: {"+m+"}\n    rules:\n", 1))
	}
	p, ds := plan.Parse(withMask("name: person_name, email: emial"), "plan.yaml")
	require.Nil(t, p)
	require.Len(t, ds, 1, "%v", ds)
	require.Equal(t, "CFG101", ds[0].Code)
	require.Equal(t, "plan.yaml:16:38", ds[0].Pos.File)
	require.Equal(t, "$.entities[0].mask.email", ds[0].Field)
	for _, k := range mask.Kinds() {
		require.Contains(t, ds[0].Msg, "'"+k+"'")
	}

	for _, k := range mask.Kinds() {
		_, ds := plan.Parse(withMask("email: "+k), "plan.yaml")
		require.Empty(t, ds, k)
	}
}

// TestParseControlSources: a control's source sums the rows of an entity
// or of a selection, so it needs exactly one of entity: and from:. Neither
// used to fail only when verify computed the control, and with both
// entity silently won; both are findings when the plan loads.
func TestParseControlSources(t *testing.T) {
	target := "target: {model: res.partner}"
	cases := []struct {
		name, source string
		want         []string // "CODE@line:col path: message"; none for a good source
	}{
		{"entity", "{entity: customers}", nil},
		{"from", "{from: {source: s, file: c.csv}}", nil},
		{"neither", "{group_by: country}", []string{
			`CFG101@20:13 $.controls[0].source: control "count": source: names neither entity: nor from:`}},
		{"both", "{entity: customers, from: {source: s, file: c.csv}}", []string{
			`CFG101@20:39 $.controls[0].source.from: control "count": source: names both entity: and from:`}},
		{"both, unknown entity", "{entity: nobody, from: {source: s, file: c.csv}}", []string{
			`CFG101@20:36 $.controls[0].source.from: control "count": source: names both entity: and from:`,
			`CFG103@20:22 $.controls[0].source.entity: unknown entity "nobody"`}},
		{"unknown source", "{from: {source: nope}}", []string{
			`CFG103@20:29 $.controls[0].source.from.source: unknown source "nope"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := good + "controls:\n  - name: count\n    source: " + tc.source + "\n    " + target + "\n"
			p, ds := plan.Parse([]byte(src), "plan.yaml")
			require.NotNil(t, p, "%v", ds)
			var got []string
			for _, d := range ds {
				got = append(got, fmt.Sprintf("%s@%s %s: %s", d.Code, strings.TrimPrefix(d.Pos.File, "plan.yaml:"), d.Field, d.Msg))
			}
			require.ElementsMatch(t, tc.want, got)
			for _, d := range ds {
				if d.Code == "CFG101" {
					require.Contains(t, d.Hint, "entity:")
					require.Contains(t, d.Hint, "from:")
				}
			}
		})
	}
}

// TestParseSourceKinds: a source kind no reader knows is a finding when
// the plan loads, at the kind, listing the kinds (it used to pass until
// the source was opened); the schema's list is the readers' (open.Kinds)
// and files, so a new reader must be added to it.
func TestParseSourceKinds(t *testing.T) {
	b, err := plan.Schema()
	require.NoError(t, err)
	var s struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(b, &s))
	kinds := append(append([]string(nil), open.Kinds...), plan.FilesKind)
	require.ElementsMatch(t, kinds, s.Defs["Spec"].Properties["kind"].Enum)

	p, ds := plan.Parse([]byte(strings.Replace(good, "kind: csv", "kind: cvs", 1)), "plan.yaml")
	require.Nil(t, p)
	require.Len(t, ds, 1, "%v", ds)
	require.Equal(t, "CFG101", ds[0].Code)
	require.Equal(t, "plan.yaml:6:13", ds[0].Pos.File)
	require.Equal(t, "$.sources.s.kind", ds[0].Field)
	for _, k := range kinds {
		require.Contains(t, ds[0].Msg, "'"+k+"'")
	}

	for _, k := range kinds {
		_, ds := plan.Parse([]byte(strings.Replace(good, "kind: csv", "kind: "+k, 1)), "plan.yaml")
		for _, d := range ds {
			require.NotEqual(t, "CFG101", d.Code, "kind %s: %v", k, d)
		}
	}
}
