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

// Every command that acts leaves an entry; cutting entries off the end of
// the log (and deleting the checkpoint beside it, as an intruder would) is
// caught by the checkpoints kept in reports, the ledger and the anchor.
func TestAuditVerifyFindsACutOffTail(t *testing.T) {
	plan, _ := demoTarget(t, 18)
	dir := filepath.Dir(plan)
	key := filepath.Join(t.TempDir(), "audit.key")
	code, _, errs := run(t, "audit", "keygen", "-o", key)
	require.Equal(t, ExitOK, code, errs)
	anchor := filepath.Join(t.TempDir(), "anchor")
	t.Setenv("FERRY_AUDIT_KEY", key)
	t.Setenv("FERRY_AUDIT_ANCHOR", anchor)
	code, _, errs = run(t, "validate", plan, "--quarantine", t.TempDir())
	require.NotEqual(t, ExitUsage, code, errs)
	code, _, errs = run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, errs)
	code, _, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, errs)

	log := filepath.Join(dir, ".ferry", "audit.jsonl")
	code, out, errs := run(t, "audit", "verify", "--log", log, "--pub", key+".pub")
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "the newest at seq 3")
	code, out, _ = run(t, "audit", "show", "--log", log)
	require.Equal(t, ExitOK, code)
	for _, action := range []string{"validate", "run", "verify"} {
		require.Contains(t, out, " "+action+" ")
	}

	b, err := os.ReadFile(log)
	require.NoError(t, err)
	lines := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")
	require.NoError(t, os.WriteFile(log, []byte(strings.Join(lines[:2], "")), 0o600))
	require.NoError(t, os.Remove(log+".checkpoint"))
	code, _, errs = run(t, "audit", "verify", "--log", log, "--pub", key+".pub")
	require.Equal(t, ExitIntegrity, code, errs)
	require.Contains(t, errs, "truncated after seq 2")
	require.Contains(t, errs, "names seq 3")

	// Without the reports and the ledger, the anchor still shows it.
	require.NoError(t, os.RemoveAll(filepath.Join(dir, ".ferry", "reports")))
	require.NoError(t, os.Remove(filepath.Join(dir, ".ferry", "ledger.db")))
	code, _, errs = run(t, "audit", "verify", "--log", log, "--pub", key+".pub")
	require.Equal(t, ExitIntegrity, code, errs)
	require.Contains(t, errs, anchor)
}
