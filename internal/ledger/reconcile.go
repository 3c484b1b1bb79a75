package ledger

import (
	"context"
	"encoding/json"
	"fmt"
)

// MethodReconcile is the method of the steps that reconcile a record's
// journal items with the documents its reconcile: names (account.move.line
// reconcile). Such a step's Before is a ReconcileImage.
const MethodReconcile = "reconcile"

// ReconcileImage is a reconcile step's Before: the documents reconciled
// with (external IDs, or "id:<n>" for an account.move the plan does not
// load) and, once done, the account.partial.reconcile records that join the
// record's journal items to theirs — what rollback deletes.
type ReconcileImage struct {
	With     []string `json:"with"`
	Partials []int64  `json:"partials,omitempty"`
}

// Encode renders the image for Step.Before.
func (im ReconcileImage) Encode() string {
	b, _ := json.Marshal(im)
	return string(b)
}

// DecodeReconcileImage reads a reconcile step's Before.
func DecodeReconcileImage(s string) (ReconcileImage, error) {
	var im ReconcileImage
	if s == "" {
		return im, nil
	}
	err := json.Unmarshal([]byte(s), &im)
	return im, err
}

// ReconcileSteps returns a run's reconcile steps on an entity's records by
// external ID.
func (s *Store) ReconcileSteps(ctx context.Context, runID, entity string) (map[string]Step, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, entity, external_id, method, odoo_id, before, state, message
		FROM steps WHERE run_id = ? AND entity = ? AND method = ?`, runID, entity, MethodReconcile)
	if err != nil {
		return nil, fmt.Errorf("ledger: read reconcile steps of %s: %w", entity, err)
	}
	defer rows.Close()
	out := map[string]Step{}
	for rows.Next() {
		var st Step
		var state string
		if err := rows.Scan(&st.RunID, &st.Entity, &st.ExternalID, &st.Method, &st.OdooID, &st.Before, &state, &st.Message); err != nil {
			return nil, fmt.Errorf("ledger: read reconcile step: %w", err)
		}
		st.State = StepState(state)
		out[st.ExternalID] = st
	}
	return out, rows.Err()
}
