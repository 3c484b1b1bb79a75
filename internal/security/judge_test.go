package security

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/source"
)

func TestVersionSupport(t *testing.T) {
	for major, want := range map[int]Status{15: Fail, 16: Fail, 17: Pass, 18: Pass, 19: Pass, 20: Pass} {
		f := judgeVersion(odoo.Version{Major: major, Full: "x"})
		require.Equal(t, want, f.Status, "major %d", major)
		if want == Fail {
			require.Equal(t, High, f.Severity)
		}
	}
}

func TestCertificateExpiry(t *testing.T) {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	cases := map[time.Duration]Severity{-time.Hour: Critical, 5 * 24 * time.Hour: High, 20 * 24 * time.Hour: Medium}
	for left, sev := range cases {
		f := judgeCertificate("odoo.example.com", now.Add(left), now)
		require.Equal(t, Fail, f.Status, left)
		require.Equal(t, sev, f.Severity, left)
	}
	f := judgeCertificate("odoo.example.com", now.Add(90*24*time.Hour), now)
	require.Equal(t, Pass, f.Status)
	require.Contains(t, f.Evidence, "2027-02-24 (90 days left)")
}

// The pages are trimmed from what Odoo 18 and 19 render at
// /web/database/manager in each configuration.
func TestDatabaseManagerPages(t *testing.T) {
	unprotected := `<div class="col-lg-6 offset-lg-3 o_database_list"><div class="alert alert-warning">
Warning, your Odoo database manager is not protected.<br/>Please <a href="#">set a master password</a> to secure it.</div>`
	protected := `<div class="col-lg-6 offset-lg-3 o_database_list"><ul class="list-group"><li class="list-group-item">odoo18</li></ul>`
	disabled := `<div class="col-lg-6 offset-lg-3 o_database_list"><div class="alert alert-danger text-center">The database manager has been disabled by the administrator</div>`
	cases := []struct {
		status int
		body   string
		want   Status
		sev    Severity
	}{
		{200, unprotected, Fail, Critical},
		{200, protected, Fail, Medium},
		{200, disabled, Pass, Info},
		{404, "Not Found", Pass, Info},
		{200, "<html>a login page</html>", Pass, Info},
	}
	for _, c := range cases {
		f := judgeManager(c.status, []byte(c.body))
		require.Equal(t, c.want, f.Status, c.body)
		require.Equal(t, c.sev, f.Severity, c.body)
	}
}

// Export files others can read are a finding; files only their owner
// reads pass; a missing file is not checked, never passed.
func TestExportFilePermissions(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "exports"), 0o700))
	open, closed := filepath.Join(dir, "exports", "customers.csv"), filepath.Join(dir, "exports", "invoices.csv")
	require.NoError(t, os.WriteFile(open, []byte("a\n1\n"), 0o644))
	require.NoError(t, os.WriteFile(closed, []byte("a\n1\n"), 0o600))
	p := &plan.Plan{Dir: dir, Sources: map[string]source.Spec{"legacy": {Kind: "csv", Path: "exports"}, "gone": {Kind: "csv", Path: "nowhere"}},
		Entities: []plan.Entity{{Name: "c", From: source.Select{Source: "legacy", File: "*.csv"}}, {Name: "g", From: source.Select{Source: "gone", File: "x.csv"}}}}
	fs := AuditSources(t.Context(), p)
	require.Len(t, fs, 2)
	require.Equal(t, NotChecked, fs[0].Status, "gone")
	require.Equal(t, Fail, fs[1].Status)
	require.Contains(t, fs[1].Evidence, "1 of 2 file(s)")
	require.Contains(t, fs[1].Evidence, "customers.csv (-rw-r--r--)")
	require.NoError(t, os.Chmod(open, 0o600))
	fs = AuditSources(t.Context(), p)
	require.Equal(t, Pass, fs[1].Status)
}

// A directory of attachments is checked file by file.
func TestFilesSourcePermissions(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scans", "2024"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scans", "2024", "INV-1.pdf"), []byte("%PDF"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scans", "INV-2.pdf"), []byte("%PDF"), 0o600))
	p := &plan.Plan{Dir: dir, Sources: map[string]source.Spec{"scans": {Kind: "files", Path: "scans"}}}
	fs := AuditSources(t.Context(), p)
	require.Len(t, fs, 1)
	require.Equal(t, Fail, fs[0].Status)
	require.Contains(t, fs[0].Evidence, "1 of 2 file(s)")
	require.Contains(t, fs[0].Evidence, "INV-1.pdf")
}
