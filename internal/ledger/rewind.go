package ledger

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Before says whether run a started before run b (ties by id, which is
// time-ordered too).
func (a *Run) Before(b *Run) bool {
	if !a.Started.Equal(b.Started) {
		return a.Started.Before(b.Started)
	}
	return a.ID < b.ID
}

// LaterRuns returns the runs of the run's plan that started after it and
// are not rolled back, newest first: the runs that built on it (an
// incremental rerun takes over the rows of the runs before it).
func (s *Store) LaterRuns(ctx context.Context, runID string) ([]Run, error) {
	run, err := s.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	all, err := s.Runs(ctx)
	if err != nil {
		return nil, err
	}
	var out []Run
	for _, r := range all {
		if r.Plan == run.Plan && r.ID != run.ID && r.Status != StatusRolledBack && run.Before(&r) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[j].Before(&out[i]) })
	return out, nil
}

// MarkRolledBack records that the run was undone in the target, in one
// transaction: every row the run still holds is put back as the latest
// earlier run (not rolled back) left it, or removed when no earlier run
// wrote it, and the run's status becomes rolled_back. The next run then
// sees the rows as they were before this one: records the rollback
// deleted are created again, records it restored are updated again. The
// run's own rows stay in RunHistory. Rows a later run took over are left
// as they are: undo the later runs first.
func (s *Store) MarkRolledBack(ctx context.Context, runID string, now time.Time) error {
	run, err := s.Run(ctx, runID)
	if err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	return s.tx(ctx, func(t *tx) error {
		prev, err := previousRows(ctx, t, run)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM rows WHERE run_id = ?`, runID); err != nil {
			return fmt.Errorf("ledger: rewind the rows of run %s: %w", runID, err)
		}
		if err := insertRows(ctx, t, prev); err != nil {
			return err
		}
		_, err = t.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ? WHERE id = ?`, string(StatusRolledBack), fmtTime(now), runID)
		if err != nil {
			return fmt.Errorf("ledger: mark run %s rolled back: %w", runID, err)
		}
		return nil
	})
}

// previousRows returns, for each row the run holds, the version the latest
// earlier run that is not rolled back left in run_rows.
func previousRows(ctx context.Context, t *tx, run *Run) ([]Row, error) {
	q := `SELECT rr.run_id, rr.entity, rr.pass, rr.key, rr.external_id, rr.source_key, rr.fingerprint, rr.state, rr.odoo_id,
		rr.created, rr.message, rr.attempts, rr.batch, rr.written
		FROM rows cur
		JOIN run_rows rr ON rr.entity = cur.entity AND rr.pass = cur.pass AND rr.key = cur.key AND rr.run_id <> cur.run_id
		JOIN runs r ON r.id = rr.run_id AND r.status <> ?
		WHERE cur.run_id = ?`
	rows, err := t.QueryContext(ctx, q, string(StatusRolledBack), run.ID)
	if err != nil {
		return nil, fmt.Errorf("ledger: read the rows before run %s: %w", run.ID, err)
	}
	cands, err := scanHistory(rows)
	if err != nil {
		return nil, err
	}
	runs := map[string]*Run{}
	latest := map[[3]string]Row{}
	for _, c := range cands {
		r, ok := runs[c.RunID]
		if !ok {
			if r, err = runIn(ctx, t, c.RunID); err != nil {
				return nil, err
			}
			runs[c.RunID] = r
		}
		if !r.Before(run) {
			continue
		}
		k := [3]string{c.Entity, fmt.Sprint(c.Pass), c.Key}
		if have, ok := latest[k]; !ok || runs[have.RunID].Before(r) {
			latest[k] = c
		}
	}
	out := make([]Row, 0, len(latest))
	for _, r := range latest {
		out = append(out, r)
	}
	return out, nil
}

// runIn reads a run inside a transaction.
func runIn(ctx context.Context, t *tx, id string) (*Run, error) {
	rows, err := t.QueryContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id)
	return oneRun(id, rows, err)
}

// insertRows writes rows as they are (no merge with a stored row: there is
// none).
func insertRows(ctx context.Context, t *tx, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	st, err := t.PrepareContext(ctx, `INSERT INTO rows (`+rowColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	defer st.Close()
	for _, r := range rows {
		_, err := st.ExecContext(ctx, r.Entity, r.Pass, r.Key, r.ExternalID, r.SourceKey, r.Fingerprint, string(r.State),
			r.OdooID, r.Created, r.Message, r.Attempts, r.RunID, r.Batch, r.Written)
		if err != nil {
			return fmt.Errorf("ledger: put back row %s of %s: %w", r.Key, r.Entity, err)
		}
	}
	return nil
}
