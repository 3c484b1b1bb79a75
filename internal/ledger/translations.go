package ledger

import (
	"context"
	"fmt"
)

// MethodTranslations is the method of the steps that write a record's
// translations with Odoo's update_field_translations. Such a step's
// Before holds the SHA-256 (hex) of the translations it writes, so a
// later run can tell whether they changed.
const MethodTranslations = "update_field_translations"

// TranslationSteps returns, per external ID, the latest translation step
// of the entity's records over every run (the newest run's wins): what
// the earlier runs, and this one when it resumes, last wrote.
func (s *Store) TranslationSteps(ctx context.Context, entity string) (map[string]Step, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.run_id, s.entity, s.external_id, s.method, s.odoo_id, s.before, s.state, s.message
		FROM steps s JOIN runs r ON r.id = s.run_id
		WHERE s.entity = ? AND s.method = ? ORDER BY r.started_at, r.id`, entity, MethodTranslations)
	if err != nil {
		return nil, fmt.Errorf("ledger: read translation steps of %s: %w", entity, err)
	}
	return scanSteps(rows) // ordered by run: the newest run's step wins
}
