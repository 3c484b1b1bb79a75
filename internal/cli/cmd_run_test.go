package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/load"
	"github.com/ferry-migrate/ferry/internal/plan"
)

const runPlan = `version: 1
name: t
namespace: ns_test
target: {url: "http://127.0.0.1:1", database: x, login: a}
sources:
  legacy: {kind: csv, path: data}
entities:
  - name: customers
    model: res.partner
    from: {source: legacy, file: customers.csv}
    key: id
    fields:
      name: row.name
`

func writeRunPlan(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "customers.csv"), []byte("id,name\n1,Acme\n"), 0o600))
	path := filepath.Join(dir, "plan.yaml")
	require.NoError(t, os.WriteFile(path, []byte(runPlan+extra), 0o600))
	return path
}

func TestRunRefusesWithoutBackupDecision(t *testing.T) {
	path := writeRunPlan(t, "")
	code, _, errs := run(t, "run", path)
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "--backup none")
	_, err := os.Stat(filepath.Join(filepath.Dir(path), ".ferry", "ledger.db"))
	require.True(t, os.IsNotExist(err), "nothing is written before the refusal")
}

func TestRunUnreachableTargetLeavesNoRun(t *testing.T) {
	path := writeRunPlan(t, "backup: none\n")
	t.Setenv("FERRY_ODOO_PASSWORD", "pw")
	code, _, errs := run(t, "run", path, "--timeout", "2s")
	require.NotEqual(t, ExitOK, code)
	require.Contains(t, errs, "127.0.0.1:1")
	require.NotContains(t, errs, "pw")
}

func TestInputDigests(t *testing.T) {
	path := writeRunPlan(t, "backup: none\n")
	p, _, err := plan.Load(path)
	require.NoError(t, err)
	d, err := inputDigests(p)
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(path), "data", "customers.csv"))
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	require.Equal(t, map[string]string{"legacy/customers.csv": hex.EncodeToString(sum[:])}, d)
}

func TestPrintRunAndExit(t *testing.T) {
	s := &load.Summary{RunID: "r1", Plan: "t", Digest: "abcdef0123456789", Result: "partial", Ledger: ".ferry/ledger.db",
		Entities: []*load.EntitySummary{
			{Name: "customers", Model: "res.partner", Pass: 1, Read: 5, Loaded: 3, Quarantined: 1, Skipped: 1, Holds: true,
				Quarantine: []string{"q/customers.csv"}},
			{Name: "customers", Model: "res.partner", Pass: 2, Read: 5, Loaded: 3, Quarantined: 1, Skipped: 1, Holds: true},
			{Name: "invoices", Model: "account.move", Pass: 1, Read: 2, Loaded: 2, Holds: true,
				AfterLoad: &load.StepSummary{Method: "action_post", Done: 2}},
		}}
	var b bytes.Buffer
	require.NoError(t, printRun(&b, s, "http://odoo.test"))
	out := b.String()
	require.Contains(t, out, "customers (links)")
	require.Contains(t, out, "after load invoices.action_post: 2 done, 0 failed")
	require.Contains(t, out, "quarantine: q/customers.csv")
	require.Contains(t, out, "identity: read = loaded + unchanged + quarantined + skipped")

	err := runExit(s, nil)
	require.Equal(t, ExitPartial, exitCode(err))
	require.ErrorContains(t, err, "1 row(s) quarantined")
	s.Result = "ok"
	require.NoError(t, runExit(s, nil))
	require.Equal(t, ExitIntegrity, exitCode(runExit(s, &load.IntegrityError{Entity: "customers", Pass: 1})))
	require.Equal(t, ExitPartial, exitCode(runExit(s, &load.StoppedError{Entity: "customers", Err: errors.New("502")})))
}
