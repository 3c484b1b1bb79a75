package mapping

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/secret"
)

func TestWholeMarksExpressionsThatHoldTheEnvironment(t *testing.T) {
	c := newTestCompiler(t)
	cases := []struct {
		src   string
		whole bool
	}{
		{`trim(row.name)`, false},
		{`out.name + "x"`, false},
		{`out["name"]`, false},
		{`out[row.col]`, false},
		{`row`, false},
		{`out`, true},
		{`[out.a, out]`, true},
		{`{"a": out}`, true},
		{`let o = out; o.name`, true},
		{`len(out)`, true},
		{`$env`, true},
		{`$env.out`, true},
		{`$env["row"]`, true},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			p, err := c.Compile(tc.src)
			require.NoError(t, err)
			require.Equal(t, tc.whole, p.Whole)
		})
	}
}

func TestMemberPatchReadsMapsWithoutFetch(t *testing.T) {
	c := newTestCompiler(t)
	_, err := c.Compile(`map member(row, "name")`)
	require.Error(t, err, "no expression can call the patch's function")
	for _, src := range []string{`row.name`, `row["a column"]`, `trim(out.name)`} {
		p, err := c.Compile(src)
		require.NoError(t, err)
		require.NotContains(t, p.prog.Disassemble(), "OpFetch", src)
	}
	p, err := c.Compile(`row.name + row["a column"]`)
	require.NoError(t, err)
	require.Equal(t, []string{"name", "a column"}, p.Columns)
}

// TestMemberPatchAnswersAsFetch runs expressions with and without the
// patch, on environments that have the member, lack it, or lack the map.
func TestMemberPatchAnswersAsFetch(t *testing.T) {
	patched := newTestCompiler(t)
	plain := newCompiler(NewLibrary(t.TempDir(), NewIDs("acme", secret.String{}), nil), false)
	envs := []map[string]any{
		{"row": map[string]any{"name": "ada", "n": 2, "m": map[string]any{"x": "y"}}, "out": map[string]any{"name": "x"}},
		{"row": map[string]any{}},
		{"row": map[string]any(nil)},
		{},
	}
	for _, src := range []string{`row.name`, `row["name"]`, `row.missing`, `row.m.x`, `row?.name`, `out.name`,
		`trim(row.name) + "!"`, `row.n + 1`, `out.name == nil`, `lines.items`, `let r = {"name": 1}; r.name`,
		`map([row], #.name)`} {
		pp, err := patched.Compile(src)
		require.NoError(t, err)
		pq, err := plain.Compile(src)
		require.NoError(t, err)
		require.Contains(t, pq.prog.Disassemble(), "Fetch", src)
		for i, env := range envs {
			var r1, r2 Runner
			v1, err1 := r1.Run(pp, env)
			v2, err2 := r2.Run(pq, env)
			require.Equal(t, v2, v1, "%s env %d", src, i)
			require.Equal(t, err2, err1, "%s env %d", src, i)
		}
	}
}
