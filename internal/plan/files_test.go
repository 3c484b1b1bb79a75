package plan_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/plan"
)

const withFiles = `version: 1
name: t
namespace: acme_f
target: {url: "http://x", api_key: {env: K}}
load: {max_file_size: 10MiB, batch_bytes: 32MiB}
sources:
  s: {kind: csv, path: .}
  scans: {kind: files, path: scans}
entities:
  - name: docs
    model: ir.attachment
    from: {source: s, file: d.csv}
    files: scans
    max_file_size: 512KiB
    key: file
    fields:
      datas: file(row.file)
`

func TestParseFiles(t *testing.T) {
	p, ds := plan.Parse([]byte(withFiles), "plan.yaml")
	require.Empty(t, ds)
	e := p.Entity("docs")
	require.Equal(t, "scans", e.Files)
	maxFile, batch := p.FileLimits(e)
	require.Equal(t, int64(512<<10), maxFile)
	require.Equal(t, int64(32<<20), batch)
	maxFile, batch = p.FileLimits(nil)
	require.Equal(t, int64(10<<20), maxFile)
	require.Equal(t, int64(32<<20), batch)

	p, ds = plan.Parse([]byte(strings.NewReplacer("load: {max_file_size: 10MiB, batch_bytes: 32MiB}\n", "",
		"    max_file_size: 512KiB\n", "").Replace(withFiles)), "plan.yaml")
	require.Empty(t, ds)
	maxFile, batch = p.FileLimits(p.Entity("docs"))
	require.Equal(t, int64(plan.DefaultMaxFileSize), maxFile)
	require.Equal(t, int64(plan.DefaultBatchBytes), batch)

	p, ds = plan.Parse([]byte(strings.Replace(withFiles, "10MiB, batch_bytes: 32MiB", "100MiB, batch_bytes: 1000", 1)), "plan.yaml")
	require.Empty(t, ds)
	_, batch = p.FileLimits(nil)
	require.Equal(t, int64(100<<20), batch, "a load call carries at least the largest file")
}

func TestParseFilesProblems(t *testing.T) {
	cases := []struct{ name, edit, with, code, msg string }{
		{"unknown source", "files: scans", "files: scan", "CFG103", `unknown source "scan"`},
		{"not a files source", "files: scans", "files: s", "CFG111", "files: names source s, of kind csv"},
		{"files as rows", "from: {source: s, file: d.csv}", "from: {source: scans, file: d.csv}", "CFG111", "source scans holds files, not rows"},
		{"no path", "{kind: files, path: scans}", "{kind: files}", "CFG111", "source scans of kind files has no path:"},
		{"bad size", "max_file_size: 512KiB", "max_file_size: 5 apples", "CFG101", ""},
		{"zero", "max_file_size: 512KiB", "max_file_size: 0", "CFG101", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := plan.Parse([]byte(strings.Replace(withFiles, tc.edit, tc.with, 1)), "plan.yaml")
			require.NotEmpty(t, ds)
			require.Equal(t, tc.code, ds[0].Code, "%v", ds)
			require.Contains(t, ds[0].Msg, tc.msg)
		})
	}
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{"300": 300, "300B": 300, "10 MB": 10e6, "25MiB": 25 << 20, "1GiB": 1 << 30, "512KiB": 512 << 10} {
		got, err := plan.ParseByteSize(in)
		require.NoError(t, err, in)
		require.Equal(t, plan.ByteSize(want), got, in)
	}
	_, err := plan.ParseByteSize("25 mb")
	require.Error(t, err)
	require.Equal(t, "25 MiB", plan.ByteSize(25<<20).String())
	require.Equal(t, "31 B", plan.ByteSize(31).String())
}
