package security

import (
	"net/url"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/plan"
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
