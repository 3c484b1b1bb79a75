package cli

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The secrets of the leak test: each is long and unique enough that a hit
// can only be a leak.
const (
	leakAPIKey     = "leak-api-key-5b1f0c2e9d7a4e3b8c6f"
	leakWrongKey   = "leak-wrong-key-9e8d7c6b5a4f3e2d1c0b"
	leakMaskKey    = "leak-mask-key-0a1b2c3d4e5f60718293"
	leakPassphrase = "leak-age-passphrase-7f6e5d4c3b2a1908"
	leakDBPassword = "leakDbPassword4c3b2a19"
)

// outputs collects everything Ferry printed, and the directories it wrote.
type outputs struct {
	printed []string
	dirs    []string
}

func (o *outputs) run(t *testing.T, args ...string) int {
	code, out, errs := run(t, args...)
	o.printed = append(o.printed, out, errs)
	return code
}

// scan fails the test for every secret found in any output or in any file
// under the directories (ledger, reports, quarantine files, audit log,
// checkpoints, backups), named with the file.
func (o *outputs) scan(t *testing.T, secrets ...string) {
	t.Helper()
	files := 0
	for _, dir := range o.dirs {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			for _, s := range secrets {
				require.False(t, bytes.Contains(b, []byte(s)), "%s holds the secret %q", path, s)
			}
			return nil
		})
		require.NoError(t, err)
	}
	for i, p := range o.printed {
		for _, s := range secrets {
			require.NotContains(t, p, s, "output %d holds a secret", i)
		}
	}
	require.Positive(t, files, "the scan read no file")
}

// The demo, a masked run with a backup, a run with a wrong API key and a
// backup of an unreachable database are all run with known secrets; no
// output and no file Ferry writes holds any of them.
func TestNoSecretLeaksIntoAnyOutput(t *testing.T) {
	var o outputs
	demoAdminKey = leakAPIKey
	t.Cleanup(func() { demoAdminKey = "" })
	demoDir := t.TempDir()
	o.dirs = append(o.dirs, demoDir)
	code := o.run(t, "demo", "--dir", demoDir)
	require.Contains(t, []int{ExitOK, ExitDifferences}, code, o.printed)

	plan, _ := demoTarget(t, 18)
	targetKey := os.Getenv("FERRY_DEMO_API_KEY") // the plan's api_key: {env: FERRY_DEMO_API_KEY}
	b, err := os.ReadFile(plan)
	require.NoError(t, err)
	masked := strings.Replace(string(b), "    key: cust_no\n", "    key: cust_no\n    mask: {email: email, phone: phone, name: person_name}\n", 1)
	require.NoError(t, os.WriteFile(plan, []byte(masked), 0o644))
	t.Setenv("FERRY_MASK_KEY", leakMaskKey)
	t.Setenv("FERRY_BACKUP_PASSPHRASE", leakPassphrase)
	backups := t.TempDir()
	o.dirs = append(o.dirs, filepath.Dir(plan), backups)

	// A run that cannot log in.
	t.Setenv("FERRY_DEMO_API_KEY", leakWrongKey)
	code = o.run(t, "run", plan, "--backup", "none")
	require.NotEqual(t, ExitOK, code)
	require.Contains(t, strings.Join(o.printed, ""), "authentication failed")

	// A backup of a database that refuses the connection, its DSN with a password.
	t.Setenv("ODOO_DB_DSN", "postgres://odoo:"+leakDBPassword+"@127.0.0.1:1/odoo18?sslmode=disable")
	code = o.run(t, "backup", "create", "--dsn-env", "ODOO_DB_DSN", "--to", backups, "--state-dir", filepath.Join(filepath.Dir(plan), ".ferry"))
	require.NotEqual(t, ExitOK, code)

	// A masked run that backs up first (trust authentication ignores the password).
	t.Setenv("FERRY_DEMO_API_KEY", targetKey)
	if src := scratchDB(t); src != "" {
		u, err := url.Parse(src)
		require.NoError(t, err)
		u.User = url.UserPassword(u.User.Username(), leakDBPassword)
		t.Setenv("ODOO_DB_DSN", u.String())
		code = o.run(t, "run", plan, "--backup-dsn-env", "ODOO_DB_DSN", "--backup-to", backups)
	} else {
		code = o.run(t, "run", plan, "--backup", "none")
	}
	require.Equal(t, ExitPartial, code, o.printed)
	code = o.run(t, "verify", plan)
	require.Contains(t, []int{ExitOK, ExitDifferences}, code, o.printed)
	o.scan(t, targetKey, leakAPIKey, leakWrongKey, leakMaskKey, leakPassphrase, leakDBPassword)
}
