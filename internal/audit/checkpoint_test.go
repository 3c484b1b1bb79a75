package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// signedLog writes n signed entries with an anchor file and returns the
// log's path, the anchor's and the public key.
func signedLog(t *testing.T, n int) (logPath, anchor string, l *FileLog) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, GenerateKey(filepath.Join(dir, "k")))
	key, err := LoadPrivateKey(filepath.Join(dir, "k"))
	require.NoError(t, err)
	logPath, anchor = filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "anchor")
	l, err = Open(logPath)
	require.NoError(t, err)
	l.SignWith(key)
	l.AnchorTo(anchor)
	for i := 0; i < n; i++ {
		_, err := l.Append(context.Background(), Event{Actor: "ops", Action: ActionRun, Details: map[string]any{"i": i}})
		require.NoError(t, err)
	}
	return logPath, anchor, l
}

func pubOf(t *testing.T, logPath string) []byte {
	pub, err := LoadPublicKey(filepath.Join(filepath.Dir(logPath), "k.pub"))
	require.NoError(t, err)
	return pub
}

// Cutting entries off the end keeps the chain consistent; the checkpoint
// beside the log and the anchor both show it, naming the last seq kept.
func TestCheckpointsDetectATruncatedTail(t *testing.T) {
	logPath, anchor, l := signedLog(t, 5)
	require.NoError(t, l.Close())
	pub := pubOf(t, logPath)
	side, err := ReadCheckpoint(CheckpointFile(logPath))
	require.NoError(t, err)
	anc, err := ReadCheckpoint(anchor)
	require.NoError(t, err)
	require.EqualValues(t, 5, anc.Seq)
	require.NoError(t, VerifyWith(context.Background(), bytes.NewReader(mustRead(t, logPath)), pub, []Found{side, anc}))

	b := mustRead(t, logPath)
	lines := bytes.SplitAfter(b, []byte("\n"))
	cut := bytes.Join(lines[:3], nil)
	require.NoError(t, VerifySigned(context.Background(), bytes.NewReader(cut), pub), "the chain alone cannot see the cut")
	err = VerifyWith(context.Background(), bytes.NewReader(cut), pub, []Found{anc})
	var ce *ChainError
	require.ErrorAs(t, err, &ce)
	require.EqualValues(t, 4, ce.Seq)
	require.Contains(t, err.Error(), "truncated after seq 3")
	require.Contains(t, err.Error(), anchor)
}

// A checkpoint that is not signed by the key is ignored when a key is
// given: whoever truncates the log could also write a matching one.
func TestForgedCheckpointsAreIgnored(t *testing.T) {
	logPath, anchor, l := signedLog(t, 3)
	require.NoError(t, l.Close())
	pub := pubOf(t, logPath)
	anc, err := ReadCheckpoint(anchor)
	require.NoError(t, err)
	forged := anc
	forged.Seq, forged.Sig = 9, ""
	require.NoError(t, VerifyWith(context.Background(), bytes.NewReader(mustRead(t, logPath)), pub, []Found{forged}))
	require.Error(t, VerifyWith(context.Background(), bytes.NewReader(mustRead(t, logPath)), nil, []Found{forged}),
		"without a key every checkpoint counts")
}

// A log rewritten from some entry on (new hashes, consistent chain)
// disagrees with the checkpoint taken before.
func TestCheckpointsDetectARewrittenHistory(t *testing.T) {
	_, anchor, l := signedLog(t, 2)
	require.NoError(t, l.Close())
	anc, err := ReadCheckpoint(anchor)
	require.NoError(t, err)
	other := filepath.Join(t.TempDir(), "audit.jsonl")
	forged, err := Open(other)
	require.NoError(t, err)
	for range 3 {
		_, err := forged.Append(context.Background(), Event{Actor: "mallory", Action: ActionRun})
		require.NoError(t, err)
	}
	require.NoError(t, forged.Close())
	err = VerifyWith(context.Background(), bytes.NewReader(mustRead(t, other)), nil, []Found{anc})
	var ce *ChainError
	require.ErrorAs(t, err, &ce)
	require.EqualValues(t, 2, ce.Seq)
	require.Contains(t, err.Error(), "history rewritten")
}

func TestParseCheckpointRefusesGarbage(t *testing.T) {
	_, err := ParseCheckpoint("not json")
	require.Error(t, err)
	_, err = ParseCheckpoint(`{"seq":0,"hash":""}`)
	require.Error(t, err)
	_, err = ReadCheckpoint(filepath.Join(t.TempDir(), "none"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
