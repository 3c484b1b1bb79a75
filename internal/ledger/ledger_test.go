package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)

func testBeginResumesUnfinishedRun(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	r1, err := s.Begin(ctx, "p", "d1", map[string]string{"legacy": "x"}, false, t0)
	require.NoError(t, err)
	require.False(t, r1.Resumed)

	r2, err := s.Begin(ctx, "p", "d1", nil, false, t0.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, r1.ID, r2.ID)
	require.True(t, r2.Resumed)

	other, err := s.Begin(ctx, "q", "d1", nil, false, t0)
	require.NoError(t, err)
	require.NotEqual(t, r1.ID, other.ID)

	require.NoError(t, s.Finish(ctx, r1.ID, StatusDone, t0.Add(2*time.Hour)))
	r3, err := s.Begin(ctx, "p", "d1", nil, false, t0.Add(3*time.Hour))
	require.NoError(t, err)
	require.NotEqual(t, r1.ID, r3.ID)
	require.False(t, r3.Resumed)

	got, err := s.Run(ctx, r1.ID)
	require.NoError(t, err)
	require.Equal(t, StatusDone, got.Status)
	require.Equal(t, t0.Add(2*time.Hour), got.Finished)
	require.Equal(t, map[string]string{}, got.Inputs) // replaced on resume
}

func testBeginRefusesChangedPlanUnlessForced(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	r1, err := s.Begin(ctx, "p", "d1", nil, false, t0)
	require.NoError(t, err)
	require.NoError(t, s.Finish(ctx, r1.ID, StatusInterrupted, t0))

	_, err = s.Begin(ctx, "p", "d2", nil, false, t0)
	var pc *PlanChangedError
	require.ErrorAs(t, err, &pc)
	require.Equal(t, r1.ID, pc.Run)
	require.Equal(t, 6, pc.ExitCode())

	r2, err := s.Begin(ctx, "p", "d2", nil, true, t0)
	require.NoError(t, err)
	require.Equal(t, r1.ID, r2.ID)
	require.Equal(t, "d2", r2.PlanDigest)
	require.Equal(t, StatusRunning, r2.Status)
}

func testBatchProtocol(t *testing.T, be backend) {
	ctx := context.Background()
	s := be.open(t)
	run, err := s.Begin(ctx, "p", "d", nil, false, t0)
	require.NoError(t, err)
	seq, err := s.NextSeq(ctx, run.ID, "customers", 1)
	require.NoError(t, err)
	require.Equal(t, int64(1), seq)

	b := Batch{RunID: run.ID, Entity: "customers", Pass: 1, Seq: seq, Rows: 2}
	pending := []Row{
		{Entity: "customers", Pass: 1, Key: "ns.c_1", ExternalID: "ns.c_1", Fingerprint: "f1", State: Pending, Created: true, Attempts: 1, RunID: run.ID, Batch: seq},
		{Entity: "customers", Pass: 1, Key: "ns.c_2", ExternalID: "ns.c_2", Fingerprint: "f2", State: Pending, OdooID: 7, Attempts: 1, RunID: run.ID, Batch: seq},
	}
	img := Image{RunID: run.ID, Model: "res.partner", OdooID: 7, ExternalID: "ns.c_2", Fields: json.RawMessage(`{"name":"old"}`)}
	require.NoError(t, s.MarkSent(ctx, b, pending, []Image{img}))

	bs, err := s.Batches(ctx, run.ID)
	require.NoError(t, err)
	require.Equal(t, []Batch{{RunID: run.ID, Entity: "customers", Pass: 1, Seq: 1, Rows: 2, State: Sent}}, bs)

	// The process dies; the resumed run sends the batch again, this time
	// seeing both records exist (created=false) and a second image.
	again := append([]Row(nil), pending...)
	again[0].Created = false
	img2 := img
	img2.Fields = json.RawMessage(`{"name":"new","parent_id":false}`)
	require.NoError(t, s.MarkSent(ctx, Batch{RunID: run.ID, Entity: "customers", Pass: 1, Seq: 2, Rows: 2}, again, []Image{img2}))

	done := []Row{
		{Entity: "customers", Pass: 1, Key: "ns.c_1", ExternalID: "ns.c_1", Fingerprint: "f1", State: Loaded, OdooID: 6, RunID: run.ID, Batch: 2},
		{Entity: "customers", Pass: 1, Key: "ns.c_2", ExternalID: "ns.c_2", Fingerprint: "f2", State: Loaded, RunID: run.ID, Batch: 2},
	}
	require.NoError(t, s.Commit(ctx, Batch{RunID: run.ID, Entity: "customers", Pass: 1, Seq: 2, Rows: 2}, done))

	rows, err := s.Rows(ctx, "customers", 1)
	require.NoError(t, err)
	require.Equal(t, Row{Entity: "customers", Pass: 1, Key: "ns.c_1", ExternalID: "ns.c_1", Fingerprint: "f1", State: Loaded,
		OdooID: 6, Created: true, Attempts: 2, RunID: run.ID, Batch: 2}, rows["ns.c_1"])
	require.Equal(t, int64(7), rows["ns.c_2"].OdooID, "an id already known is kept")
	require.False(t, rows["ns.c_2"].Created)

	ims, err := s.Images(ctx, run.ID)
	require.NoError(t, err)
	require.Len(t, ims, 1)
	require.JSONEq(t, `{"name":"old","parent_id":false}`, string(ims[0].Fields), "the first value of a field is kept")

	next, err := s.NextSeq(ctx, run.ID, "customers", 1)
	require.NoError(t, err)
	require.Equal(t, int64(3), next)
}

func testCreatedIsPerRun(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	r1, err := s.Begin(ctx, "p", "d", nil, false, t0)
	require.NoError(t, err)
	require.NoError(t, s.Put(ctx, []Row{{Entity: "e", Pass: 1, Key: "k", State: Loaded, Created: true, OdooID: 3, RunID: r1.ID, Attempts: 1}}))
	require.NoError(t, s.Finish(ctx, r1.ID, StatusDone, t0))
	r2, err := s.Begin(ctx, "p", "d", nil, false, t0.Add(time.Minute))
	require.NoError(t, err)
	require.NoError(t, s.Put(ctx, []Row{{Entity: "e", Pass: 1, Key: "k", State: Loaded, RunID: r2.ID, Attempts: 1}}))
	rows, err := s.Rows(ctx, "e", 1)
	require.NoError(t, err)
	require.Equal(t, Row{Entity: "e", Pass: 1, Key: "k", State: Loaded, OdooID: 3, RunID: r2.ID, Attempts: 1}, rows["k"])

	got, err := s.RunRows(ctx, r1.ID)
	require.NoError(t, err)
	require.Empty(t, got)
	all, err := s.AllRows(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
}

func testSteps(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	st := Step{RunID: "r", Entity: "invoices", ExternalID: "ns.i_1", Method: "action_post", OdooID: 9, Before: "draft", State: StepPending}
	require.NoError(t, s.PutSteps(ctx, []Step{st}))
	st.State, st.Message = StepFailed, "unbalanced"
	require.NoError(t, s.PutSteps(ctx, []Step{st}))
	got, err := s.Steps(ctx, "r", "invoices")
	require.NoError(t, err)
	require.Equal(t, map[string]Step{"ns.i_1": st}, got)
}

func testLockAndReopen(t *testing.T, b backend) {
	ctx := context.Background()
	loc := b.location(t)
	s, err := b.openAt(ctx, loc)
	require.NoError(t, err)
	_, err = b.openAt(ctx, loc)
	require.True(t, errors.Is(err, ErrLocked), "got %v", err)
	r, err := s.Begin(ctx, "p", "d", nil, false, t0)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s2, err := b.openAt(ctx, loc) // migrations are not applied twice
	require.NoError(t, err)
	t.Cleanup(func() { _ = s2.Close() })
	got, err := s2.Run(ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, "p", got.Plan)
	_, err = s2.Run(ctx, "nope")
	require.ErrorContains(t, err, "no run nope")
}

// crash stops using s the way a killed process does: the pending rows
// still unwritten are not written, and the lock is let go.
func (s *Store) crash() {
	if s.pgLock != nil {
		_, _ = s.pgLock.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", int64(pgLockKey))
		_ = s.pgLock.Close()
	}
	_ = s.db.Close()
	release(s.lock)
}

// testPendingRowsOutliveACrash: a batch's pending rows are stored with it
// and written to rows later; every read sees them as if written at
// MarkSent, and a process that dies with the batch in flight leaves them
// for the next one, which writes them when it opens the ledger.
func testPendingRowsOutliveACrash(t *testing.T, be backend) {
	ctx := context.Background()
	loc := be.location(t)
	s, err := be.openAt(ctx, loc)
	require.NoError(t, err)
	run, err := s.Begin(ctx, "p", "d", nil, false, t0)
	require.NoError(t, err)
	require.NoError(t, s.Put(ctx, []Row{{Entity: "c", Pass: 1, Key: "ns.c_2", ExternalID: "ns.c_2", Fingerprint: "old",
		State: Loaded, OdooID: 7, Created: true, Attempts: 1, RunID: run.ID, Written: `{"v":{}}`}}))
	b := Batch{RunID: run.ID, Entity: "c", Pass: 1, Seq: 1, Rows: 2}
	pending := []Row{
		{Entity: "c", Pass: 1, Key: "ns.c_1", ExternalID: "ns.c_1", Fingerprint: "f1", State: Pending, Created: true, Attempts: 1, RunID: run.ID, Batch: 1},
		{Entity: "c", Pass: 1, Key: "ns.c_2", ExternalID: "ns.c_2", Fingerprint: "f2", State: Pending, OdooID: 7, Attempts: 1, RunID: run.ID, Batch: 1},
	}
	want := map[string]Row{
		"ns.c_1": pending[0],
		"ns.c_2": {Entity: "c", Pass: 1, Key: "ns.c_2", ExternalID: "ns.c_2", Fingerprint: "f2", State: Pending, OdooID: 7,
			Created: true, Attempts: 2, RunID: run.ID, Batch: 1, Written: `{"v":{}}`},
	}
	require.NoError(t, s.MarkSent(ctx, b, pending, nil))
	s.crash()

	s, err = be.openAt(ctx, loc)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	rows, err := s.Rows(ctx, "c", 1)
	require.NoError(t, err)
	require.Equal(t, want, rows, "the next process finds the rows pending, as MarkSent left them")
	hist, err := s.RunHistory(ctx, run.ID)
	require.NoError(t, err)
	require.Equal(t, []Row{want["ns.c_1"], want["ns.c_2"]}, hist)
	bs, err := s.Batches(ctx, run.ID)
	require.NoError(t, err)
	require.Equal(t, Sent, bs[0].State, "Odoo's answer to the batch is not known")
	var stored int
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM batches WHERE pending <> ''`).Scan(&stored))
	require.Zero(t, stored, "written once: opening the ledger again writes nothing twice")

	// In the same process, a read sees the rows of a batch in flight, and
	// Odoo's answer then writes each once, merged with its pending state.
	b2 := Batch{RunID: run.ID, Entity: "c", Pass: 1, Seq: 2, Rows: 2}
	again := []Row{{Entity: "c", Pass: 1, Key: "ns.c_1", ExternalID: "ns.c_1", Fingerprint: "f1", State: Pending, OdooID: 9, Attempts: 1, RunID: run.ID, Batch: 2}}
	require.NoError(t, s.MarkSent(ctx, b2, again, nil))
	rows, err = s.Rows(ctx, "c", 1)
	require.NoError(t, err)
	require.Equal(t, Row{Entity: "c", Pass: 1, Key: "ns.c_1", ExternalID: "ns.c_1", Fingerprint: "f1", State: Pending, OdooID: 9,
		Created: true, Attempts: 2, RunID: run.ID, Batch: 2}, rows["ns.c_1"])
	require.NoError(t, s.Commit(ctx, b2, []Row{{Entity: "c", Pass: 1, Key: "ns.c_1", ExternalID: "ns.c_1", Fingerprint: "f1",
		State: Loaded, RunID: run.ID, Batch: 2, Written: `{"v":{"name":{"t":"s","v":"x"}}}`}}))
	rows, err = s.Rows(ctx, "c", 1)
	require.NoError(t, err)
	require.Equal(t, Row{Entity: "c", Pass: 1, Key: "ns.c_1", ExternalID: "ns.c_1", Fingerprint: "f1", State: Loaded, OdooID: 9,
		Created: true, Attempts: 2, RunID: run.ID, Batch: 2, Written: `{"v":{"name":{"t":"s","v":"x"}}}`}, rows["ns.c_1"])
}
