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
	// Image is what the step found before it first wrote, for rollback
	// (JSON; a translation step's is a TranslationImage). The first image
	// stored for a step is kept: a step that carries none, or a later one,
	// leaves it as it is.
	Image string `json:"image,omitempty"`
}

const stepColumns = `run_id, entity, external_id, method, odoo_id, before, state, message, image`

// Steps returns a run's after-load steps of an entity by external ID
// (translation steps are read with TranslationSteps, archive steps with
// RunSteps, reconcile steps with ReconcileSteps).
func (s *Store) Steps(ctx context.Context, runID, entity string) (map[string]Step, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+stepColumns+`
		FROM steps WHERE run_id = ? AND entity = ? AND method NOT IN (?, ?, ?)`, runID, entity, MethodTranslations, MethodArchive, MethodReconcile)
	if err != nil {
		return nil, fmt.Errorf("ledger: read steps of %s: %w", entity, err)
	}
	return scanSteps(rows)
}

// RunSteps returns a run's steps of one method on an entity's records by
// external ID (rollback reads the translation and archive steps with it).
func (s *Store) RunSteps(ctx context.Context, runID, entity, method string) (map[string]Step, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+stepColumns+`
		FROM steps WHERE run_id = ? AND entity = ? AND method = ?`, runID, entity, method)
	if err != nil {
		return nil, fmt.Errorf("ledger: read the %s steps of %s: %w", method, entity, err)
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
		if err := rows.Scan(&st.RunID, &st.Entity, &st.ExternalID, &st.Method, &st.OdooID, &st.Before, &state, &st.Message, &st.Image); err != nil {
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
	return s.tx(ctx, func(t *tx) error { return putSteps(ctx, t, steps) })
}

func putSteps(ctx context.Context, t *tx, steps []Step) error {
	for _, st := range steps {
		_, err := t.ExecContext(ctx, `INSERT INTO steps (`+stepColumns+`)
			VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (run_id, entity, external_id, method) DO UPDATE SET
			odoo_id = excluded.odoo_id, before = excluded.before, state = excluded.state, message = excluded.message,
			image = CASE WHEN steps.image <> '' THEN steps.image ELSE excluded.image END`,
			st.RunID, st.Entity, st.ExternalID, st.Method, st.OdooID, st.Before, string(st.State), st.Message, st.Image)
		if err != nil {
			return fmt.Errorf("ledger: step %s on %s: %w", st.Method, st.ExternalID, err)
		}
	}
	return nil
}
