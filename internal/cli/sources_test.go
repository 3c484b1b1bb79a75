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
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// A plan reading a real PostgreSQL table and a MariaDB query loads into
// the sandbox and verifies clean; a second run finds everything unchanged.
func TestRunFromDatabasesThenVerify(t *testing.T) {
	pg, err := testutil.Ping("pgx", testutil.PostgresURL())
	if err != nil {
		testutil.Unavailable(t, "PostgreSQL", err)
		return
	}
	my, err := testutil.Ping("mysql", testutil.MariaDBDSN())
	if err != nil {
		testutil.Unavailable(t, "MariaDB", err)
		return
	}
	cust, cat := testutil.UniqueName("legacy_customers"), testutil.UniqueName("legacy_groups")
	_, err = pg.Exec(fmt.Sprintf(`CREATE TABLE %s (id integer PRIMARY KEY, name text, email text, country char(2), credit numeric(12,2))`, cust))
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = pg.Exec("DROP TABLE " + cust); pg.Close() })
	_, err = pg.Exec(fmt.Sprintf(`INSERT INTO %s VALUES (1, 'Alpha SA', 'info@alpha.example', 'BE', 1500.50),
		(2, 'Beta GmbH', 'info@beta.example', 'DE', 0), (3, 'Gamma Srl', NULL, 'XX', 10)`, cust))
	require.NoError(t, err)
	_, err = my.Exec(fmt.Sprintf(`CREATE TABLE %s (code varchar(10) PRIMARY KEY, title varchar(50))`, cat))
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = my.Exec("DROP TABLE " + cat); my.Close() })
	_, err = my.Exec(fmt.Sprintf(`INSERT INTO %s VALUES ('A', 'Lamps'), ('B', 'Bulbs')`, cat))
	require.NoError(t, err)

	sb, err := sandbox.New(sandbox.Options{Version: 18, AdminKey: "db-test-key"})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	require.NoError(t, os.WriteFile(plan, []byte(fmt.Sprintf(`version: 1
name: db-legacy
namespace: db_legacy
target: {url: %s, database: %s, login: admin, api_key: {env: DB_TEST_KEY}, environment: test}
backup: none
sources:
  erp: {kind: postgres, dsn: {env: LEGACY_PG}}
  shop: {kind: mysql, dsn: {env: LEGACY_MY}}
entities:
  - name: groups
    model: product.category
    from: {source: shop, query: "select code, title from %s order by code"}
    key: code
    fields:
      name: row.title
  - name: customers
    model: res.partner
    unmasked: [name, email] # synthetic test data
    from: {source: erp, table: %s}
    key: id
    fields:
      name: row.name
      email: row.email
      is_company: true
      country_id: lookup("res.country", "code", row.country)
`, sb.URL, sb.Database(), cat, cust)), 0o644))
	t.Setenv("DB_TEST_KEY", "db-test-key")
	t.Setenv("LEGACY_PG", testutil.PostgresURL())
	t.Setenv("LEGACY_MY", testutil.MariaDBDSN())

	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs) // Gamma's country XX does not exist
	require.Regexp(t, `customers\s+res.partner\s+3\s+2\s+0\s+1\s+0\s+holds`, out)
	require.Regexp(t, `groups\s+product.category\s+2\s+2\s+0\s+0\s+0\s+holds`, out)
	code, out, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)

	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New("db-test-key")})
	require.NoError(t, err)
	_, id, err := c.Resolve(context.Background(), "db_legacy.customers_1")
	require.NoError(t, err)
	recs, err := c.Read(context.Background(), "res.partner", []int64{id}, []string{"name", "email", "country_id"})
	require.NoError(t, err)
	require.Equal(t, "Alpha SA", recs[0]["name"])
	require.Equal(t, "Belgium", recs[0]["country_id"].([]any)[1])

	code, out, errs = run(t, "run", plan)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Regexp(t, `customers\s+res.partner\s+3\s+0\s+2\s+1\s+0\s+holds`, out, "the second run finds the loaded rows unchanged")
}
