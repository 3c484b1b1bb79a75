package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSignedLogDetectsARewrittenChain(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "audit.key")
	require.NoError(t, GenerateKey(keyPath))
	require.Error(t, GenerateKey(keyPath), "an existing key is never overwritten")
	key, err := LoadPrivateKey(keyPath)
	require.NoError(t, err)
	pub, err := LoadPublicKey(keyPath + ".pub")
	require.NoError(t, err)

	logPath := filepath.Join(dir, "audit.jsonl")
	l, err := Open(logPath)
	require.NoError(t, err)
	l.SignWith(key)
	for _, a := range []string{ActionRun, ActionVerify, ActionRollback} {
		_, err := l.Append(context.Background(), Event{Actor: "ops", Action: a})
		require.NoError(t, err)
	}
	require.NoError(t, l.Close())
	f, err := os.Open(logPath)
	require.NoError(t, err)
	require.NoError(t, VerifySigned(context.Background(), f, pub))
	f.Close()

	// Rewrite entry 2 as a forger would: new content, recomputed hash and
	// links, but no key to sign with.
	b, err := os.ReadFile(logPath)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	forged, err := Open(filepath.Join(dir, "forged.jsonl"))
	require.NoError(t, err)
	_, _ = forged.Append(context.Background(), Event{Actor: "ops", Action: ActionRun})
	_, _ = forged.Append(context.Background(), Event{Actor: "mallory", Action: ActionVerify})
	require.NoError(t, forged.Close())
	fb, _ := os.ReadFile(filepath.Join(dir, "forged.jsonl"))
	require.NoError(t, VerifyReader(context.Background(), strings.NewReader(string(fb))), "the forged chain is internally consistent")
	err = VerifySigned(context.Background(), strings.NewReader(string(fb)), pub)
	var ce *ChainError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, 1, ce.Line)
	require.Len(t, lines, 3)

	require.NoError(t, os.Chmod(keyPath, 0o644))
	_, err = LoadPrivateKey(keyPath)
	require.ErrorContains(t, err, "readable by others")
}
