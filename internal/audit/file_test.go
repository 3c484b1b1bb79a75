package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func writeLog(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path)
	require.NoError(t, err)
	for i := 0; i < n; i++ {
		_, err := l.Append(context.Background(), Event{Actor: "tester", Action: ActionRun, Details: map[string]any{"i": i}})
		require.NoError(t, err)
	}
	require.NoError(t, l.Close())
	return path
}

func TestChainVerifiesAndContinuesAfterReopen(t *testing.T) {
	path := writeLog(t, 3)
	l, err := Open(path)
	require.NoError(t, err)
	e, err := l.Append(context.Background(), Event{Actor: "a", Action: ActionVerify})
	require.NoError(t, err)
	require.EqualValues(t, 4, e.Seq)
	require.NoError(t, l.Verify(context.Background()))
	require.NoError(t, l.Close())
}

func TestTamperingIsFoundWithItsPosition(t *testing.T) {
	cases := map[string]struct {
		mutate func(lines [][]byte) [][]byte
		seq    int64
	}{
		"edit": {func(ls [][]byte) [][]byte {
			ls[1] = bytes.Replace(ls[1], []byte("tester"), []byte("mallory"), 1)
			return ls
		}, 2},
		"delete":  {func(ls [][]byte) [][]byte { return append(ls[:1:1], ls[2:]...) }, 2},
		"reorder": {func(ls [][]byte) [][]byte { ls[1], ls[2] = ls[2], ls[1]; return ls }, 2},
		"insert":  {func(ls [][]byte) [][]byte { return append(ls[:2:2], append([][]byte{ls[0]}, ls[2:]...)...) }, 3},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeLog(t, 4)
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			lines := tc.mutate(bytes.Split(bytes.TrimSpace(b), []byte("\n")))
			require.NoError(t, os.WriteFile(path, append(bytes.Join(lines, []byte("\n")), '\n'), 0o600))
			err = VerifyReader(context.Background(), bytes.NewReader(mustRead(t, path)))
			var ce *ChainError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.seq, ce.Seq, err.Error())
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

// Details may hold structs: the hash is over what a reader decodes.
func TestStructDetailsVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path)
	require.NoError(t, err)
	type buckets struct {
		Zeta  int `json:"zeta"`
		Alpha int `json:"alpha"`
	}
	_, err = l.Append(context.Background(), Event{Actor: "a", Action: ActionVerify, Details: map[string]any{"b": buckets{1, 2}, "n": int64(1) << 40}})
	require.NoError(t, err)
	require.NoError(t, l.Verify(context.Background()))
	require.NoError(t, l.Close())
}
