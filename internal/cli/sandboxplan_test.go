package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// sandboxPlan starts a sandbox (Odoo 18), writes CSV files under data/ and
// a plan named name whose entities are the YAML given, and returns the
// plan.s path, the sandbox and a client.
func sandboxPlan(t *testing.T, name string, files map[string]string, entities string) (string, *sandbox.Server, *odoo.Client) {
	t.Helper()
	return sandboxPlanAt(t, 18, name, files, entities)
}

// sandboxPlanAt is sandboxPlan with a sandbox of Odoo version (18, 19).
func sandboxPlanAt(t *testing.T, version int, name string, files map[string]string, entities string) (string, *sandbox.Server, *odoo.Client) {
	t.Helper()
	key := name + "-key"
	sb, err := sandbox.New(sandbox.Options{Version: version, AdminKey: key})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o755))
	for n, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "data", n), []byte(b), 0o644))
	}
	plan := filepath.Join(dir, "plan.yaml")
	require.NoError(t, os.WriteFile(plan, []byte(fmt.Sprintf(`version: 1
name: %s
namespace: legacy_%s
target: {url: %s, database: %s, login: admin, api_key: {env: PLAN_KEY}, environment: test}
backup: none
sources:
  legacy: {kind: csv, path: data}
entities:
%s`, name, name, sb.URL, sb.Database(), entities)), 0o644))
	t.Setenv("PLAN_KEY", key)
	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New(key)})
	require.NoError(t, err)
	return plan, sb, c
}
