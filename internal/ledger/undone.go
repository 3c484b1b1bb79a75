package ledger

import (
	"context"
	"fmt"
	"time"
)

// Undone is one action a rollback of a run carried out.
type Undone struct {
	Kind       string
	Model      string
	OdooID     int64
	ExternalID string
}

// MarkUndone records that a rollback of the run carried out u.
func (s *Store) MarkUndone(ctx context.Context, runID string, u Undone, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO undone (run_id, kind, model, odoo_id, external_id, at) VALUES (?,?,?,?,?,?)
		ON CONFLICT (run_id, kind, model, odoo_id, external_id) DO NOTHING`, runID, u.Kind, u.Model, u.OdooID, u.ExternalID, fmtTime(now))
	if err != nil {
		return fmt.Errorf("ledger: record an undone %s of %s %d: %w", u.Kind, u.Model, u.OdooID, err)
	}
	return nil
}

// Undone returns what rollbacks of the run have carried out so far.
func (s *Store) Undone(ctx context.Context, runID string) (map[Undone]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, model, odoo_id, external_id FROM undone WHERE run_id = ?`, runID)
	if err != nil {
		return nil, fmt.Errorf("ledger: read what was undone of run %s: %w", runID, err)
	}
	defer rows.Close()
	out := map[Undone]bool{}
	for rows.Next() {
		var u Undone
		if err := rows.Scan(&u.Kind, &u.Model, &u.OdooID, &u.ExternalID); err != nil {
			return nil, fmt.Errorf("ledger: read what was undone: %w", err)
		}
		out[u] = true
	}
	return out, rows.Err()
}
