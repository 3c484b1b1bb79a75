package ledger

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// twoRuns writes run r1 (creates k1 and k2) and run r2 of the same plan
// (updates k1, k2 unchanged, creates k3), the way the loader does.
func twoRuns(t *testing.T, s *Store) (r1, r2 *Run) {
	t.Helper()
	ctx := context.Background()
	r1, err := s.Begin(ctx, "p", "d", nil, false, t0)
	require.NoError(t, err)
	require.NoError(t, s.Put(ctx, []Row{
		{Entity: "e", Pass: 1, Key: "k1", ExternalID: "k1", Fingerprint: "f1", State: Loaded, OdooID: 1, Created: true, Attempts: 1, RunID: r1.ID, Written: `{"a":1}`},
		{Entity: "e", Pass: 1, Key: "k2", ExternalID: "k2", Fingerprint: "f2", State: Loaded, OdooID: 2, Created: true, Attempts: 1, RunID: r1.ID, Written: `{"a":2}`},
	}))
	require.NoError(t, s.Finish(ctx, r1.ID, StatusDone, t0))
	r2, err = s.Begin(ctx, "p", "d", nil, false, t0.Add(time.Minute))
	require.NoError(t, err)
	require.NoError(t, s.Put(ctx, []Row{
		{Entity: "e", Pass: 1, Key: "k1", ExternalID: "k1", Fingerprint: "f1b", State: Loaded, OdooID: 1, Attempts: 1, RunID: r2.ID, Written: `{"a":10}`},
		{Entity: "e", Pass: 1, Key: "k2", ExternalID: "k2", Fingerprint: "f2", State: Unchanged, OdooID: 2, RunID: r2.ID},
		{Entity: "e", Pass: 1, Key: "k3", ExternalID: "k3", Fingerprint: "f3", State: Loaded, OdooID: 3, Created: true, Attempts: 1, RunID: r2.ID, Written: `{"a":3}`},
	}))
	require.NoError(t, s.Finish(ctx, r2.ID, StatusDone, t0.Add(time.Minute)))
	return r1, r2
}

func testHistoryOutlivesLaterRuns(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	r1, r2 := twoRuns(t, s)
	held, err := s.RunRows(ctx, r1.ID)
	require.NoError(t, err)
	require.Empty(t, held, "the later run took every row over")

	h1, err := s.RunHistory(ctx, r1.ID)
	require.NoError(t, err)
	require.Equal(t, []Row{
		{Entity: "e", Pass: 1, Key: "k1", ExternalID: "k1", Fingerprint: "f1", State: Loaded, OdooID: 1, Created: true, Attempts: 1, RunID: r1.ID, Written: `{"a":1}`},
		{Entity: "e", Pass: 1, Key: "k2", ExternalID: "k2", Fingerprint: "f2", State: Loaded, OdooID: 2, Created: true, Attempts: 1, RunID: r1.ID, Written: `{"a":2}`},
	}, h1, "what the first run did is still known")
	h2, err := s.RunHistory(ctx, r2.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"k1", "k3"}, keys(h2), "a row found unchanged is the earlier run's")
	require.False(t, h2[0].Created, "the later run updated k1")
	require.Equal(t, `{"a":10}`, h2[0].Written)
	run, err := s.Run(ctx, r1.ID)
	require.NoError(t, err)
	require.True(t, run.History)
}

func testLaterRuns(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	r1, r2 := twoRuns(t, s)
	other, err := s.Begin(ctx, "q", "d", nil, false, t0.Add(2*time.Minute))
	require.NoError(t, err)
	require.NoError(t, s.Finish(ctx, other.ID, StatusDone, t0))
	r3, err := s.Begin(ctx, "p", "d", nil, false, t0.Add(3*time.Minute))
	require.NoError(t, err)

	later, err := s.LaterRuns(ctx, r1.ID)
	require.NoError(t, err)
	require.Equal(t, []string{r3.ID, r2.ID}, runIDs(later), "newest first, the other plan's run left out")
	later, err = s.LaterRuns(ctx, r3.ID)
	require.NoError(t, err)
	require.Empty(t, later)

	require.NoError(t, s.MarkRolledBack(ctx, r3.ID, t0))
	later, err = s.LaterRuns(ctx, r1.ID)
	require.NoError(t, err)
	require.Equal(t, []string{r2.ID}, runIDs(later), "a rolled-back run is no longer built upon")
}

func keys(rows []Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Key
	}
	return out
}

func runIDs(runs []Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.ID
	}
	return out
}

func testMarkRolledBackRewindsRows(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	r1, r2 := twoRuns(t, s)
	h1, err := s.RunHistory(ctx, r1.ID)
	require.NoError(t, err)

	require.NoError(t, s.MarkRolledBack(ctx, r2.ID, t0.Add(time.Hour)))
	rows, err := s.AllRows(ctx)
	require.NoError(t, err)
	require.Equal(t, h1, rows, "the rows are as the first run left them; k3, which it never saw, is gone")
	got, err := s.Run(ctx, r2.ID)
	require.NoError(t, err)
	require.Equal(t, StatusRolledBack, got.Status)
	require.Equal(t, t0.Add(time.Hour), got.Finished)
	h2, err := s.RunHistory(ctx, r2.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"k1", "k3"}, keys(h2), "the rolled-back run's own rows stay known")

	require.NoError(t, s.MarkRolledBack(ctx, r1.ID, t0.Add(time.Hour)))
	rows, err = s.AllRows(ctx)
	require.NoError(t, err)
	require.Empty(t, rows, "no run that is not rolled back wrote any row")

	// A run after the rollbacks starts from an empty ledger; its rows are
	// its own, and rolling it back finds no earlier version among the
	// rolled-back runs.
	r3, err := s.Begin(ctx, "p", "d", nil, false, t0.Add(2*time.Hour))
	require.NoError(t, err)
	require.NoError(t, s.Put(ctx, []Row{{Entity: "e", Pass: 1, Key: "k1", State: Loaded, OdooID: 9, Created: true, RunID: r3.ID}}))
	require.NoError(t, s.MarkRolledBack(ctx, r3.ID, t0.Add(3*time.Hour)))
	rows, err = s.AllRows(ctx)
	require.NoError(t, err)
	require.Empty(t, rows)
}

// A ledger written by an earlier ferry (schema 3) keeps what it knows:
// each run's rows still held are its history; a run a later run of its
// plan followed may have lost rows, and says so (History false).
func testMigrationToRunHistory(t *testing.T, b backend) {
	ctx := context.Background()
	loc := b.location(t)
	old := openRaw(t, b, loc)
	require.NoError(t, old.migrateTo(ctx, 3))
	for _, q := range []string{
		`INSERT INTO runs (id, plan, plan_digest, started_at, status) VALUES ('r1', 'p', 'd', '2026-01-02T15:04:05Z', 'done')`,
		`INSERT INTO runs (id, plan, plan_digest, started_at, status) VALUES ('r2', 'p', 'd', '2026-01-02T15:05:05Z', 'done')`,
		`INSERT INTO runs (id, plan, plan_digest, started_at, status) VALUES ('r3', 'q', 'd', '2026-01-02T15:03:05Z', 'done')`,
		`INSERT INTO rows (entity, pass, key, state, odoo_id, created, run_id) VALUES ('e', 1, 'k1', 'loaded', 1, true, 'r2')`,
		`INSERT INTO rows (entity, pass, key, state, odoo_id, created, run_id) VALUES ('e', 1, 'k2', 'loaded', 2, true, 'r1')`,
	} {
		_, err := old.db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	require.NoError(t, old.db.Close())

	s, err := b.openAt(ctx, loc)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	for id, want := range map[string]bool{"r1": false, "r2": true, "r3": true} {
		r, err := s.Run(ctx, id)
		require.NoError(t, err)
		require.Equal(t, want, r.History, id)
	}
	h, err := s.RunHistory(ctx, "r1")
	require.NoError(t, err)
	require.Equal(t, []Row{{Entity: "e", Pass: 1, Key: "k2", State: Loaded, OdooID: 2, Created: true, RunID: "r1"}}, h)
	h, err = s.RunHistory(ctx, "r2")
	require.NoError(t, err)
	require.Equal(t, []Row{{Entity: "e", Pass: 1, Key: "k1", State: Loaded, OdooID: 1, Created: true, RunID: "r2"}}, h)
}

// openRaw opens the ledger at loc without migrating it (nor locking it).
func openRaw(t *testing.T, b backend, loc string) *Store {
	t.Helper()
	if b.name == "postgres" {
		db, err := sql.Open("pgx", loc)
		require.NoError(t, err)
		return &Store{db: &dbHandle{DB: db, pg: true}}
	}
	db, err := sql.Open("sqlite", dsn(filepath.Join(loc, FileName)))
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	return &Store{db: &dbHandle{DB: db}}
}
