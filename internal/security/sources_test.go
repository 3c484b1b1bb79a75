package security

import (
	"net/url"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

func dbPlan(t *testing.T, kind, dsn string) *plan.Plan {
	t.Setenv("FERRY_TEST_SECURITY_DSN", dsn)
	return &plan.Plan{Sources: map[string]source.Spec{"erp": {Kind: kind, DSN: secret.Ref{Env: "FERRY_TEST_SECURITY_DSN"}}}}
}

func findingsByID(fs []Finding) map[string]Finding {
	out := map[string]Finding{}
	for _, f := range fs {
		out[f.ID] = f
	}
	return out
}

// On loopback an unencrypted session passes; the postgres superuser is a
// finding, a role of its own is not.
func TestPostgresSourcePosture(t *testing.T) {
	admin, err := testutil.Ping("pgx", testutil.PostgresURL())
	if err != nil {
		testutil.Unavailable(t, "PostgreSQL", err)
		return
	}
	defer admin.Close()
	fs := findingsByID(AuditSources(t.Context(), dbPlan(t, "postgres", testutil.PostgresURL())))
	require.Equal(t, Pass, fs["SEC201"].Status, fs["SEC201"].Evidence)
	require.Contains(t, fs["SEC201"].Evidence, "loopback")
	require.Equal(t, Fail, fs["SEC202"].Status)
	require.Equal(t, High, fs["SEC202"].Severity)

	role := testutil.UniqueName("ferry_ro")
	_, err = admin.Exec("CREATE ROLE " + role + " LOGIN")
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec("DROP ROLE IF EXISTS " + role) })
	u, _ := url.Parse(testutil.PostgresURL())
	u.User = url.UserPassword(role, "unused-with-trust")
	fs = findingsByID(AuditSources(t.Context(), dbPlan(t, "postgres", u.String())))
	require.Equal(t, Pass, fs["SEC202"].Status, fs["SEC202"].Evidence)
	require.Contains(t, fs["SEC202"].Evidence, role)

	fs = findingsByID(AuditSources(t.Context(), dbPlan(t, "postgres", "postgres://nobody@127.0.0.1:1/x")))
	require.Equal(t, NotChecked, fs["SEC201"].Status, "unreachable: not checked, never passed")
	require.Equal(t, NotChecked, fs["SEC202"].Status)
}

func TestMariaDBSourcePosture(t *testing.T) {
	admin, err := testutil.Ping("mysql", testutil.MariaDBDSN())
	if err != nil {
		testutil.Unavailable(t, "MariaDB", err)
		return
	}
	defer admin.Close()
	fs := findingsByID(AuditSources(t.Context(), dbPlan(t, "mysql", testutil.MariaDBDSN())))
	require.Equal(t, Pass, fs["SEC201"].Status, fs["SEC201"].Evidence)
	require.Equal(t, Fail, fs["SEC202"].Status, "root holds ALL PRIVILEGES ON *.*")

	user := testutil.UniqueName("ferry_ro")
	for _, q := range []string{"CREATE USER '" + user + "'@'127.0.0.1' IDENTIFIED BY 'ro-Passw0rd'", "GRANT SELECT ON test.* TO '" + user + "'@'127.0.0.1'"} {
		_, err = admin.Exec(q)
		require.NoError(t, err)
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP USER IF EXISTS '" + user + "'@'127.0.0.1'") })
	cfg, err := mysql.ParseDSN(testutil.MariaDBDSN())
	require.NoError(t, err)
	cfg.User, cfg.Passwd = user, "ro-Passw0rd"
	fs = findingsByID(AuditSources(t.Context(), dbPlan(t, "mysql", cfg.FormatDSN())))
	require.Equal(t, Pass, fs["SEC202"].Status, fs["SEC202"].Evidence)
}

// An older Odoo read as a source: loopback HTTP passes; reading it as an
// administrator is a finding, as an ordinary user it is not.
func TestOdooSourcePosture(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{Users: []sandbox.User{{Login: "reader", Password: "reader-pw", APIKey: "reader-key-0123456789abcdef", Restricted: true}}})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	planFor := func(login, key string) *plan.Plan {
		t.Setenv("FERRY_TEST_OLD_KEY", key)
		return &plan.Plan{Sources: map[string]source.Spec{"old": {Kind: "odoo", URL: sb.URL, Database: sb.Database(), Login: login,
			APIKey: secret.Ref{Env: "FERRY_TEST_OLD_KEY"}}}}
	}
	fs := findingsByID(AuditSources(t.Context(), planFor("admin", sb.AdminKey())))
	require.Equal(t, Pass, fs["SEC201"].Status, fs["SEC201"].Evidence)
	require.Equal(t, Fail, fs["SEC202"].Status)
	require.Contains(t, fs["SEC202"].Evidence, "admin, who has Settings rights")
	fs = findingsByID(AuditSources(t.Context(), planFor("reader", "reader-key-0123456789abcdef")))
	require.Equal(t, Pass, fs["SEC202"].Status, fs["SEC202"].Evidence)
	fs = findingsByID(AuditSources(t.Context(), planFor("reader", "a-wrong-key-0123456789")))
	require.Equal(t, NotChecked, fs["SEC202"].Status, "a refused login is not a pass")
}
