package ledger

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/testutil"
)

// backend is a ledger store kind the tests run against: SQLite in a
// directory, or a fresh PostgreSQL database.
type backend struct {
	name     string
	location func(t *testing.T) string // a new, empty ledger
	openAt   func(ctx context.Context, loc string) (*Store, error)
}

func (b backend) open(t *testing.T) *Store {
	t.Helper()
	s, err := b.openAt(context.Background(), b.location(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

var sqliteBackend = backend{name: "sqlite",
	location: func(t *testing.T) string { return t.TempDir() },
	openAt:   func(ctx context.Context, dir string) (*Store, error) { return Open(ctx, dir) }}

// postgresBackend creates a database per ledger on the machine's
// PostgreSQL (FERRY_TEST_PG), dropped when the test ends.
var postgresBackend = backend{name: "postgres",
	location: func(t *testing.T) string {
		admin, err := testutil.Ping("pgx", testutil.PostgresURL())
		if err != nil {
			testutil.Unavailable(t, "PostgreSQL", err)
			t.SkipNow()
		}
		name := testutil.UniqueName("ferry_ledger")
		_, err = admin.Exec("CREATE DATABASE " + name)
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); admin.Close() })
		u, _ := url.Parse(testutil.PostgresURL())
		u.Path = "/" + name
		return u.String()
	},
	openAt: func(ctx context.Context, loc string) (*Store, error) { return OpenURL(ctx, "", loc) }}

var ledgerTests = []struct {
	name string
	fn   func(*testing.T, backend)
}{
	{"BeginResumesUnfinishedRun", testBeginResumesUnfinishedRun},
	{"BeginRefusesChangedPlanUnlessForced", testBeginRefusesChangedPlanUnlessForced},
	{"BatchProtocol", testBatchProtocol},
	{"CreatedIsPerRun", testCreatedIsPerRun},
	{"Steps", testSteps},
	{"LockAndReopen", testLockAndReopen},
	{"TranslationSteps", testTranslationSteps},
	{"HistoryOutlivesLaterRuns", testHistoryOutlivesLaterRuns},
	{"LaterRuns", testLaterRuns},
	{"MarkRolledBackRewindsRows", testMarkRolledBackRewindsRows},
	{"MigrationToRunHistory", testMigrationToRunHistory},
	{"StepImageKeepsTheFirst", testStepImageKeepsTheFirst},
	{"MarkArchiving", testMarkArchiving},
	{"TranslationStepsSkipRolledBackRuns", testTranslationStepsSkipRolledBackRuns},
	{"MigrationToStepImages", testMigrationToStepImages},
	{"PendingRowsOutliveACrash", testPendingRowsOutliveACrash},
}

// Every ledger test runs on both stores.
func TestLedger(t *testing.T) {
	for _, b := range []backend{sqliteBackend, postgresBackend} {
		t.Run(b.name, func(t *testing.T) {
			for _, lt := range ledgerTests {
				t.Run(lt.name, func(t *testing.T) { lt.fn(t, b) })
			}
		})
	}
}

func TestPostgresURLWithAPasswordIsRefused(t *testing.T) {
	_, err := OpenURL(context.Background(), "", "postgres://ferry:s3cret@db.example/ledger")
	require.ErrorContains(t, err, "put no password in the --state URL")
	require.NotContains(t, err.Error(), "s3cret")
}
