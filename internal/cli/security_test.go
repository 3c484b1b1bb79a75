package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/security"
)

// securityTarget starts a sandbox with a restricted user and points the
// environment at it as login.
func securityTarget(t *testing.T, version int, login string) {
	sb, err := sandbox.New(sandbox.Options{Version: version, Users: []sandbox.User{
		{Login: "clerk", Password: "clerk-password", APIKey: "clerk-api-key-0123456789abcdef", Restricted: true}}})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	key := sb.AdminKey()
	if login == "clerk" {
		key = "clerk-api-key-0123456789abcdef"
	}
	t.Setenv("FERRY_ODOO_URL", sb.URL)
	t.Setenv("FERRY_ODOO_DB", sb.Database())
	t.Setenv("FERRY_ODOO_LOGIN", login)
	t.Setenv("FERRY_ODOO_API_KEY", key)
}

func securityFindings(t *testing.T, args ...string) (int, map[string]security.Finding) {
	t.Helper()
	code, out, errs := run(t, append([]string{"--json", "--state-dir", t.TempDir(), "audit", "security"}, args...)...)
	var rep security.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), "%s\n%s", out, errs)
	got := map[string]security.Finding{} // by check id; of several (one per source), a failure wins
	for _, f := range rep.Findings {
		if prev, seen := got[f.ID]; !seen || prev.Status != security.Fail {
			got[f.ID] = f
		}
	}
	return code, got
}

// The sandbox is configured like a fresh test copy: admin/admin works, no
// two-factor authentication, API keys without expiry, no demo data, not
// neutralized, active scheduled actions and no mail server; each check
// finds exactly that, on Odoo 18 and 19.
func TestSecurityAuditFindsTheSandboxConfiguration(t *testing.T) {
	for _, v := range []int{18, 19} {
		securityTarget(t, v, "admin")
		code, f := securityFindings(t, "--environment", "test")
		require.Equal(t, ExitFindings, code)
		want := map[string]struct {
			status security.Status
			sev    security.Severity
		}{
			"SEC101": {security.Pass, security.Info}, "SEC102": {security.Pass, security.Info}, "SEC103": {security.Pass, security.Info},
			"SEC104": {security.Fail, security.Critical}, "SEC105": {security.Pass, security.Info}, "SEC106": {security.Fail, security.High},
			"SEC107": {security.Fail, security.Medium}, "SEC108": {security.Pass, security.Info}, "SEC109": {security.Fail, security.High},
			"SEC110": {security.Pass, security.Info}, "SEC111": {security.Fail, security.Medium},
		}
		for id, w := range want {
			require.Equal(t, w.status, f[id].Status, "Odoo %d %s: %s", v, id, f[id].Evidence)
			require.Equal(t, w.sev, f[id].Severity, "Odoo %d %s", v, id)
		}
		require.Contains(t, f["SEC105"].Evidence, "1 user(s) with Settings (admin)")
		require.Contains(t, f["SEC106"].Evidence, "admin")
		require.Contains(t, f["SEC110"].Evidence, "invisible to the API")
	}
}

// A user without Settings rights gets "not checked: needs …" for what it
// cannot read — never a pass — and the threshold decides the exit code.
func TestSecurityAuditWithoutRightsSaysNotChecked(t *testing.T) {
	securityTarget(t, 18, "clerk")
	code, f := securityFindings(t, "--environment", "test", "--no-login-attempt", "--fail-on", "critical")
	require.Equal(t, ExitOK, code, "nothing critical is visible to the clerk and the login attempt is skipped")
	for _, id := range []string{"SEC107", "SEC109", "SEC110", "SEC111"} {
		require.Equal(t, security.NotChecked, f[id].Status, id)
		require.Contains(t, f[id].Needs, "Administration/Settings", id)
	}
	require.Equal(t, security.NotChecked, f["SEC104"].Status)
	require.Equal(t, security.Fail, f["SEC106"].Status, "users' 2FA flags are readable by internal users")
}

// With a plan, the sources are audited too: an export file every user may
// read is a finding; the HTML page is written.
func TestSecurityAuditChecksThePlansSources(t *testing.T) {
	plan, _ := demoTarget(t, 18)
	data := filepath.Join(filepath.Dir(plan), "data")
	entries, err := os.ReadDir(data)
	require.NoError(t, err)
	for _, e := range entries {
		require.NoError(t, os.Chmod(filepath.Join(data, e.Name()), 0o600))
	}
	require.NoError(t, os.Chmod(filepath.Join(data, "customers.csv"), 0o644))
	html := filepath.Join(t.TempDir(), "security.html")
	_, f := securityFindings(t, "--plan", plan, "--html", html)
	require.Equal(t, security.Fail, f["SEC203"].Status)
	require.Contains(t, f["SEC203"].Evidence, "customers.csv (-rw-r--r--)")
	require.NotContains(t, f["SEC203"].Evidence, "invoices.csv")
	page, err := os.ReadFile(html)
	require.NoError(t, err)
	require.Contains(t, string(page), "SEC203")
}
