package ledger

import (
	"context"
	"database/sql"
	"fmt"
)

// StepState is an after-load step's state.
type StepState string

// Step states: Pending is written before the call.
const (
	StepPending StepState = "pending"
	StepDone    StepState = "done"
	StepFailed  StepState = "failed"
)

// Step is one after-load action on one record.
type Step struct {
	RunID      string `json:"run_id"`
	Entity     string `json:"entity"`
	ExternalID string `json:"xmlid"`
	Method     string `json:"method"`
	OdooID     int64  `json:"odoo_id"`
	// Before is the record's state field before the first call ("" when
	// the model has none).
	Before  string    `json:"before,omitempty"`
	State   StepState `json:"state"`
	Message string    `json:"message,omitempty"`
}

// Steps returns a run's after-load steps of an entity by external ID
// (translation steps are read with TranslationSteps).
func (s *Store) Steps(ctx context.Context, runID, entity string) (map[string]Step, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, entity, external_id, method, odoo_id, before, state, message
		FROM steps WHERE run_id = ? AND entity = ? AND method <> ?`, runID, entity, MethodTranslations)
	if err != nil {
		return nil, fmt.Errorf("ledger: read steps of %s: %w", entity, err)
	}
	return scanSteps(rows)
}

// scanSteps reads steps by external ID; a later row of the same record
// replaces an earlier one.
func scanSteps(rows *sql.Rows) (map[string]Step, error) {
	defer rows.Close()
	out := map[string]Step{}
	for rows.Next() {
		var st Step
		var state string
		if err := rows.Scan(&st.RunID, &st.Entity, &st.ExternalID, &st.Method, &st.OdooID, &st.Before, &state, &st.Message); err != nil {
			return nil, fmt.Errorf("ledger: read step: %w", err)
		}
		st.State = StepState(state)
		out[st.ExternalID] = st
	}
	return out, rows.Err()
}

// PutSteps writes steps in one transaction.
func (s *Store) PutSteps(ctx context.Context, steps []Step) error {
	if len(steps) == 0 {
		return nil
	}
	return s.tx(ctx, func(t *tx) error {
		for _, st := range steps {
			_, err := t.ExecContext(ctx, `INSERT INTO steps (run_id, entity, external_id, method, odoo_id, before, state, message)
				VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (run_id, entity, external_id, method) DO UPDATE SET
				odoo_id = excluded.odoo_id, before = excluded.before, state = excluded.state, message = excluded.message`,
				st.RunID, st.Entity, st.ExternalID, st.Method, st.OdooID, st.Before, string(st.State), st.Message)
			if err != nil {
				return fmt.Errorf("ledger: step %s on %s: %w", st.Method, st.ExternalID, err)
			}
		}
		return nil
	})
}
