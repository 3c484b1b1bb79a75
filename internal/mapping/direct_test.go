package mapping

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// directSamples are expressions of the shapes the walk takes (calls over
// members, constants, +) and of shapes it leaves to the VM, with values
// that make functions succeed, return findings, fail plainly and panic.
var directSamples = []struct {
	src    string
	direct bool
}{
	{`title(trim(row.first) + " " + trim(row.last))`, true},
	{`lower(trim(row.email))`, true},
	{`trim(row.phone)`, true},
	{`digits(row.mobile)`, true},
	{`normalize_vat(row.vat)`, true},
	{`upper(trim(row.code))`, true},
	{`parse_date(row.since, "DD.MM.YYYY")`, true},
	{`parse_date(row.since, ["DD.MM.YYYY", "YYYY-MM-DD"])`, true},
	{`parse_number(row.credit, "de")`, true},
	{`parse_int(row.credit, "de")`, true},
	{`lookup("res.country", "code", upper(trim(row.country)))`, true},
	{`ref("customers", row.company)`, true},
	{`ref("nobody", row.company)`, true},
	{`refs("customers", row.tags)`, true},
	{`map_value(row.kind, "not a map")`, true},
	{`map_value(row.kind, {"C": "company", "P": "person"})`, false}, // a map literal: built by the VM
	{`map_value(row.kind, {"C": "company"}, "other")`, false},
	{`round(row.n, 2)`, true},
	{`round(1.5)`, true},
	{`default(row.missing, 42)`, true},
	{`coalesce(row.missing, nil, "x", true)`, true},
	{`concat(row.first, "-", row.n)`, true},
	{`row.first + row.last`, true},
	{`row.n + 1`, true},
	{`row.n + row.first`, true},
	{`row.missing + "x"`, true},
	{`file(row.first) + "x"`, true},
	{`key + "/" + out.name`, true},
	{`out.name`, true},
	{`lines`, true},
	{`bool(row.yes)`, true},
	{`split(row.tags, ",")`, true},
	{`join(split(row.tags, ","), "|")`, true},
	{`regex_replace(row.code, "[^0-9]", "")`, true},
	{`regex_replace(row.code, "[", "")`, true},
	{`mimetype(row.first)`, true},
	{`row?.first`, false},
	{`row.n > 1 ? "big" : "small"`, false},
	{`len(row.tags)`, false},
	{`let x = row.first; x`, false},
	{`row.first ?? "none"`, false},
	{`$env.row.first`, false},
	{`row.m.x`, false},
}

var directEnvs = []map[string]any{
	{"row": map[string]any{"first": " ada ", "last": "LOVELACE", "email": " Ada@Example.COM ", "phone": " +44 1 ",
		"mobile": "0170-123", "vat": "gb 123", "code": "k12", "since": "10.12.1815", "credit": "1.234,50",
		"country": " gb ", "company": "C1", "tags": "a, b", "kind": "C", "n": 2, "yes": "ja", "m": map[string]any{"x": 1}},
		"out": map[string]any{"name": "Ada"}, "key": "P1"},
	{"row": map[string]any{"first": nil, "since": "31.02.2020", "credit": "12abc", "n": 1.5, "kind": "Z",
		"yes": "maybe", "company": "", "tags": nil, "code": nil}},
	{"row": map[string]any{}},
	{},
}

func TestDirectProgramsAnswerAsTheVM(t *testing.T) {
	c := newTestCompiler(t)
	for _, tc := range directSamples {
		t.Run(tc.src, func(t *testing.T) {
			p, err := c.Compile(tc.src)
			require.NoError(t, err)
			require.Equal(t, tc.direct, p.direct != nil)
			for i, env := range directEnvs {
				var r1, r2 Runner
				v1, err1 := r1.Run(p, env)
				v2, err2 := r2.runVM(p, env)
				require.Equal(t, v2, v1, "env %d", i)
				require.Equal(t, err2, err1, "env %d", i)
				require.Empty(t, r1.stack, "env %d: the argument stack is left empty", i)
			}
		})
	}
}

// TestDirectRunnerRecoversFromAPanic runs a program that panics, then
// one that does not, on the same Runner.
func TestDirectRunnerRecoversFromAPanic(t *testing.T) {
	c := newTestCompiler(t)
	bad, err := c.Compile(`trim(row.first) + row.n`)
	require.NoError(t, err)
	good, err := c.Compile(`concat(trim(row.first), "!")`)
	require.NoError(t, err)
	require.NotNil(t, bad.direct)
	var r Runner
	env := map[string]any{"row": map[string]any{"first": " a ", "n": 1}}
	_, err = r.Run(bad, env)
	var f *Finding
	require.ErrorAs(t, err, &f)
	require.Equal(t, "MAP201", f.Code)
	require.Empty(t, r.stack)
	v, err := r.Run(good, env)
	require.NoError(t, err)
	require.Equal(t, "a!", v)
}
