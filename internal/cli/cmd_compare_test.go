package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/snapshot"
)

func writeSnap(t *testing.T, dir, name string, model string, recs map[int64]map[string]string, total float64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	s := &snapshot.Snapshot{Format: snapshot.FormatVersion, Models: map[string]snapshot.Model{
		model: {Count: int64(len(recs)), Records: recs, Totals: map[string]float64{"amount_total": total}},
	}}
	require.NoError(t, snapshot.Write(p, s))
	return p
}

func TestCompareCommand(t *testing.T) {
	dir := t.TempDir()
	before := writeSnap(t, dir, "b.json", "account.invoice", map[int64]map[string]string{1: {"amount_total": "a"}, 2: {"amount_total": "b"}}, 30)
	same := writeSnap(t, dir, "s.json", "account.invoice", map[int64]map[string]string{1: {"amount_total": "a"}, 2: {"amount_total": "b"}}, 30)
	after := writeSnap(t, dir, "a.json", "account.move", map[int64]map[string]string{2: {"amount_total": "c"}}, 20)
	mapFile := filepath.Join(dir, "map.yaml")
	require.NoError(t, os.WriteFile(mapFile, []byte("models:\n  account.invoice:\n    to: account.move\n"), 0o600))

	code, out, _ := run(t, "compare", before, same)
	require.Equal(t, ExitOK, code, out)
	require.Contains(t, out, "account.invoice: unchanged")

	code, out, _ = run(t, "compare", before, after, "--map", mapFile)
	require.Equal(t, ExitDifferences, code)
	require.Contains(t, out, "account.invoice → account.move: DIFFERS — 2 records before, 1 after; 1 lost, 0 added, 1 changed")
	require.Contains(t, out, "lost ids: [1]")
	require.Contains(t, out, "total amount_total: 30.00 before, 20.00 after")

	code, _, errOut := run(t, "compare", before, filepath.Join(dir, "nope.json"))
	require.Equal(t, ExitInternal, code)
	require.Contains(t, errOut, "nope.json")

	badMap := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(badMap, []byte("modles: {}\n"), 0o600))
	code, _, errOut = run(t, "compare", before, after, "--map", badMap)
	require.Equal(t, ExitUsage, code, errOut)
}
