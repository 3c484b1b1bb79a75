package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAuditLogIsSignedVerifiedAndTamperEvident(t *testing.T) {
	plan, _ := demoTarget(t, 18)
	dir := filepath.Dir(plan)
	key := filepath.Join(t.TempDir(), "audit.key")
	code, _, errs := run(t, "audit", "keygen", "-o", key)
	require.Equal(t, ExitOK, code, errs)
	t.Setenv("FERRY_AUDIT_KEY", key)
	code, _, errs = run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, errs)
	code, _, errs = run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, errs)

	log := filepath.Join(dir, ".ferry", "audit.jsonl")
	code, out, errs := run(t, "audit", "verify", "--log", log, "--pub", key+".pub")
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "every entry signed by the key")
	code, out, _ = run(t, "audit", "show", "--log", log)
	require.Equal(t, ExitOK, code)
	require.Equal(t, 3, strings.Count(out, "\n"), out) // header + two runs
	require.Contains(t, out, "true")

	b, err := os.ReadFile(log)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	lines[1] = strings.Replace(lines[1], `"result":"partial"`, `"result":"done"`, 1)
	require.NoError(t, os.WriteFile(log, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	code, _, errs = run(t, "audit", "verify", "--log", log)
	require.Equal(t, ExitIntegrity, code)
	require.Contains(t, errs, "line 2")
	require.Contains(t, errs, "entry was edited")
}
