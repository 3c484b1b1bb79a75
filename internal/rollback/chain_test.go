package rollback

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/ledger"
)

var t0 = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)

// runs begins and finishes n runs of plan p an hour apart (and one of
// another plan between them) and returns their ids, oldest first.
func runs(t *testing.T, st *ledger.Store, n int) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for i := range n {
		r, err := st.Begin(ctx, "p", "d", nil, false, t0.Add(time.Duration(i)*time.Hour))
		require.NoError(t, err)
		require.NoError(t, st.Finish(ctx, r.ID, ledger.StatusDone, r.Started))
		ids = append(ids, r.ID)
		other, err := st.Begin(ctx, "q", "d", nil, false, t0.Add(time.Duration(i)*time.Hour+time.Minute))
		require.NoError(t, err)
		require.NoError(t, st.Finish(ctx, other.ID, ledger.StatusDone, other.Started))
	}
	return ids
}

func ids(rs []ledger.Run) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func TestChain(t *testing.T) {
	ctx := context.Background()
	st, err := ledger.Open(ctx, t.TempDir())
	require.NoError(t, err)
	defer st.Close()
	r := runs(t, st, 3)

	got, err := Chain(ctx, st, r[2], false)
	require.NoError(t, err)
	require.Equal(t, []string{r[2]}, ids(got), "the newest run alone needs no option")

	_, err = Chain(ctx, st, r[0], false)
	var later *LaterRunsError
	require.ErrorAs(t, err, &later)
	require.Equal(t, 6, later.ExitCode())
	require.Equal(t, []string{r[2], r[1]}, ids(later.Later))
	require.ErrorContains(t, err, "run "+r[0]+" (started 2026-01-02T15:04:05Z) has 2 later run(s) of plan p that built on it: "+
		r[2]+" (started 2026-01-02T17:04:05Z, done), "+r[1]+" (started 2026-01-02T16:04:05Z, done)")
	require.ErrorContains(t, err, "--with-later")

	got, err = Chain(ctx, st, r[0], true)
	require.NoError(t, err)
	require.Equal(t, []string{r[2], r[1], r[0]}, ids(got), "newest first, the other plan's runs left out")

	require.NoError(t, st.MarkRolledBack(ctx, r[2], t0))
	got, err = Chain(ctx, st, r[1], false)
	require.NoError(t, err)
	require.Equal(t, []string{r[1]}, ids(got), "a rolled-back later run is no longer built upon")
	_, err = Chain(ctx, st, r[2], true)
	require.True(t, errors.Is(err, ErrRolledBack), "got %v", err)
}

// A run recorded before the ledger kept each run's rows, and followed by
// a later run, cannot be undone exactly: Chain refuses it, also as part of
// a chain.
func TestChainRefusesRunsWithoutHistory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := ledger.Open(ctx, dir)
	require.NoError(t, err)
	r := runs(t, st, 2)
	require.NoError(t, st.Close())
	db, err := sql.Open("sqlite", filepath.Join(dir, ledger.FileName))
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE runs SET history = 0 WHERE id = ?`, r[0]) // as migration 004 leaves such a run
	require.NoError(t, err)
	require.NoError(t, db.Close())
	st, err = ledger.Open(ctx, dir)
	require.NoError(t, err)
	defer st.Close()

	_, err = Chain(ctx, st, r[0], true)
	var nh *NoHistoryError
	require.ErrorAs(t, err, &nh)
	require.Equal(t, r[0], nh.Run.ID)
	require.ErrorContains(t, err, "restore the backup taken before it")
	_, err = Chain(ctx, st, r[1], false)
	require.NoError(t, err, "the later run's rows are all known")
}
