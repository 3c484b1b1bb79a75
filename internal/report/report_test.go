package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/testutil"
	"github.com/ferry-migrate/ferry/internal/verify"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sample() *Report {
	t0 := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	r := &Report{
		Kind: "verify", Title: "Verification of acme-legacy", RunID: "r-20261120-0930", Actor: "controller",
		StartedAt: t0, FinishedAt: t0.Add(95 * time.Second),
		Plan:    Plan{Name: "acme-legacy", Path: "plans/acme.yaml", Digest: strings.Repeat("ab", 32)},
		Sources: []Source{{Name: "exports", Kind: "csv", Digest: strings.Repeat("cd", 32)}},
		Target:  Target{URL: "https://erp.example.com", Database: "acme", Version: "18.0", Protocol: "jsonrpc"},
		Context: map[string]any{"tz": "UTC", "tracking_disable": true},
		Audit:   AuditHead{Seq: 42, Hash: strings.Repeat("ef", 32)},
		Notes:   []string{"migrated records carry no chatter history (tracking_disable)"},
		Result:  "differences",
		Entities: []Entity{
			{Name: "customers", Model: "res.partner", Counts: progress.Counts{Read: 120, Loaded: 110, Unchanged: 5, Quarantined: 4, Skipped: 1},
				Quarantined: []Row{{Key: "C-17", Position: "customers.csv:19", Codes: []string{"VAL301"}, Messages: []string{`email "bob@" is not an email address <script>`}}},
				Records:     Buckets{Match: 113, Differ: 1, Missing: 1},
				Diffs: []verify.Result{
					{ExternalID: "acme.customers_C-2", Status: verify.Differ, Diffs: []verify.FieldDiff{{Field: "name", Want: "Acme | SA", Got: "ACME SA"}}},
					{ExternalID: "acme.customers_C-9", Status: verify.Missing},
				}},
			{Name: "invoices", Model: "account.move", Counts: progress.Counts{Read: 10, Loaded: 10}, Records: Buckets{Match: 10}},
		},
		Controls: []verify.ControlResult{
			verify.CompareTotals("receivable per partner", map[string]float64{"7": 100.10}, map[string]float64{"7": 100.11}, 0),
			verify.Skipped("trial balance", "needs read access to account.move.line"),
		},
	}
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/report -update to create %s", path)
	require.Equal(t, string(want), string(got))
}

func TestGolden(t *testing.T) {
	for _, f := range []Format{HTML, Markdown, JSON} {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, Render(&buf, sample(), f))
			golden(t, "sample."+string(f), buf.Bytes())
		})
	}
}

func TestJSONIsVersionedAndRoundTrips(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, sample(), JSON))
	var back Report
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	require.Equal(t, SchemaVersion, back.SchemaVersion)
	require.Equal(t, sample().Entities[0].Counts, back.Entities[0].Counts)
}

func TestHTMLIsSelfContainedAndEscaped(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, sample(), HTML))
	html := buf.String()
	for _, external := range []string{"http://", "<script", "<link", "@import", "src="} {
		if external == "http://" {
			require.NotContains(t, html, external)
			continue
		}
		require.NotContains(t, strings.ToLower(html), external)
	}
	require.Contains(t, html, "&lt;script&gt;", "row values are escaped")
	require.Contains(t, html, "120 = 110 + 5 + 4 + 1 — holds")
}

func TestUnknownFormat(t *testing.T) {
	require.ErrorContains(t, Render(&bytes.Buffer{}, sample(), "pdf"), `unknown format "pdf"`)
}

// TestIntegrationHTMLOpensInChromiumWithoutConsoleErrors renders the report
// and loads it in headless Chromium (Debian's chromium; .ci/run installs it).
func TestIntegrationHTMLOpensInChromiumWithoutConsoleErrors(t *testing.T) {
	testutil.Integration(t)
	bin, err := exec.LookPath("chromium")
	if err != nil {
		testutil.Unavailable(t, "chromium", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, sample(), HTML))
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--enable-logging=stderr", "--v=0",
		"--dump-dom", "file://"+path)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), errb.String())
	require.Contains(t, out.String(), "Verification of acme-legacy", "the page rendered")
	for _, line := range strings.Split(errb.String(), "\n") {
		require.NotContains(t, line, "CONSOLE", "console message: %s", line)
		require.NotContains(t, line, "Uncaught", line)
	}
}
