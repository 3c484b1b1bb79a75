package ledger

import (
	"context"
	"fmt"
)

// MethodTranslations is the method of the steps that write a record's
// translations with Odoo's update_field_translations. Such a step's
// Before holds the SHA-256 (hex) of the translations it writes, so a
// later run can tell whether they changed; on a record the run did not
// create, its Image is a TranslationImage.
const MethodTranslations = "update_field_translations"

// TranslationImage is a translation step's Image: per field, the
// translations get_field_translations read before the step first wrote,
// and what the step wrote ({lang: text}, "" removing the language), so
// that rollback can write them back and tell whether someone changed them
// since.
type TranslationImage struct {
	Before map[string]FieldTranslations `json:"before"`
	Wrote  map[string]map[string]string `json:"wrote"`
}

// FieldTranslations is one field of a record as get_field_translations
// reads it: the en_US value (Source) and, per language, the language's
// own value or, where it has none, the en_US value. nil: the field was
// empty (false).
type FieldTranslations struct {
	Source *string            `json:"source"`
	Langs  map[string]*string `json:"langs"`
}

// TranslationSteps returns, per external ID, the latest translation step
// of the entity's records over every run not rolled back (the newest
// run's wins): what the earlier runs, and this one when it resumes, last
// wrote. A rolled-back run's translations were written back, so they do
// not count.
func (s *Store) TranslationSteps(ctx context.Context, entity string) (map[string]Step, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.run_id, s.entity, s.external_id, s.method, s.odoo_id, s.before, s.state, s.message, s.image
		FROM steps s JOIN runs r ON r.id = s.run_id
		WHERE s.entity = ? AND s.method = ? AND r.status <> ? ORDER BY r.started_at, r.id`, entity, MethodTranslations, string(StatusRolledBack))
	if err != nil {
		return nil, fmt.Errorf("ledger: read translation steps of %s: %w", entity, err)
	}
	return scanSteps(rows) // ordered by run: the newest run's step wins
}
