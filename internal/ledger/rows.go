package ledger

import (
	"context"
	"database/sql"
	"fmt"
)

// State is a row's state.
type State string

// Row states. Pending rows are in a batch whose answer is not recorded
// yet; the others are terminal.
const (
	Pending     State = "pending"
	Loaded      State = "loaded"
	Unchanged   State = "unchanged"
	Quarantined State = "quarantined"
	Skipped     State = "skipped"
)

// Row is the state of one source row of one entity pass.
type Row struct {
	Entity string `json:"entity"`
	Pass   int    `json:"pass"`
	// Key identifies the row: its external ID, or "@<position>".
	Key         string `json:"key"`
	ExternalID  string `json:"xmlid,omitempty"`
	SourceKey   string `json:"source_key,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	State       State  `json:"state"`
	OdooID      int64  `json:"odoo_id,omitempty"`
	// Created says the run RunID created the record (false: it updated it).
	Created  bool   `json:"created,omitempty"`
	Message  string `json:"message,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	RunID    string `json:"run_id"`
	Batch    int64  `json:"batch,omitempty"`
	// Written is what Ferry last wrote to the record (record.Written
	// JSON); a row that carries none keeps the one stored.
	Written string `json:"written,omitempty"`
}

const rowColumns = `entity, pass, key, external_id, source_key, fingerprint, state, odoo_id, created, message, attempts, run_id, batch, written`

// upsertRow writes a row. An Odoo id already known is kept when the new
// state carries none; a record created earlier in the same run stays
// created; attempts add up.
const upsertRow = `INSERT INTO rows (` + rowColumns + `) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT (entity, pass, key) DO UPDATE SET
	external_id = excluded.external_id,
	source_key  = excluded.source_key,
	fingerprint = excluded.fingerprint,
	state       = excluded.state,
	odoo_id     = CASE WHEN excluded.odoo_id <> 0 THEN excluded.odoo_id ELSE rows.odoo_id END,
	created     = CASE WHEN rows.run_id = excluded.run_id THEN MAX(rows.created, excluded.created) ELSE excluded.created END,
	message     = excluded.message,
	attempts    = CASE WHEN rows.run_id = excluded.run_id THEN rows.attempts + excluded.attempts ELSE excluded.attempts END,
	run_id      = excluded.run_id,
	batch       = excluded.batch,
	written     = CASE WHEN excluded.written <> '' THEN excluded.written ELSE rows.written END`

// historyColumns are a row's columns in run_rows, where run_id leads the key.
const historyColumns = `run_id, entity, pass, key, external_id, source_key, fingerprint, state, odoo_id, created, message, attempts, batch, written`

// Rows returns the rows of an entity pass by key.
func (s *Store) Rows(ctx context.Context, entity string, pass int) (map[string]Row, error) {
	if err := s.settle(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+rowColumns+` FROM rows WHERE entity = ? AND pass = ?`, entity, pass)
	if err != nil {
		return nil, fmt.Errorf("ledger: read rows of %s pass %d: %w", entity, pass, err)
	}
	list, err := scanRows(rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Row, len(list))
	for _, r := range list {
		out[r.Key] = r
	}
	return out, nil
}

// RunRows returns the rows whose state the run set last, ordered by entity,
// pass and key.
func (s *Store) RunRows(ctx context.Context, runID string) ([]Row, error) {
	if err := s.settle(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+rowColumns+` FROM rows WHERE run_id = ? ORDER BY entity, pass, key`, runID)
	if err != nil {
		return nil, fmt.Errorf("ledger: read rows of run %s: %w", runID, err)
	}
	return scanRows(rows)
}

// RunHistory returns the rows the run wrote, each as the run last left it,
// ordered by entity, pass and key: unlike RunRows, it still holds the rows
// a later run took over since. Rows the run found unchanged are not in it
// (see putRows).
func (s *Store) RunHistory(ctx context.Context, runID string) ([]Row, error) {
	if err := s.settle(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+historyColumns+` FROM run_rows WHERE run_id = ? ORDER BY entity, pass, key`, runID)
	if err != nil {
		return nil, fmt.Errorf("ledger: read the rows run %s wrote: %w", runID, err)
	}
	return scanHistory(rows)
}

// AllRows returns every row, ordered by entity, pass and key.
func (s *Store) AllRows(ctx context.Context) ([]Row, error) {
	if err := s.settle(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+rowColumns+` FROM rows ORDER BY entity, pass, key`)
	if err != nil {
		return nil, fmt.Errorf("ledger: read rows: %w", err)
	}
	return scanRows(rows)
}

// Put writes rows in one transaction (terminal states reached without a
// batch: unchanged, quarantined or skipped rows).
func (s *Store) Put(ctx context.Context, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	s.sent.mu.Lock()
	defer s.sent.mu.Unlock()
	return s.afterPending(ctx, s.sent.holding(rows, batchKey{}), batchKey{}, func(t *tx) error { return putRows(ctx, t, rows) })
}

// putRows upserts rows. The database copies each, as it now stands, into
// its run's history (a trigger on rows, schema 7), except rows found
// unchanged: the run wrote nothing to their records, and the earlier run's
// version, which loaded them, stands for them (an incremental rerun of a
// large source is mostly such rows, and the copy would double their cost).
func putRows(ctx context.Context, t *tx, rows []Row) error {
	st, err := t.PrepareContext(ctx, upsertRow)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	defer st.Close()
	for _, r := range rows {
		_, err := st.ExecContext(ctx, r.Entity, r.Pass, r.Key, r.ExternalID, r.SourceKey, r.Fingerprint, string(r.State),
			r.OdooID, r.Created, r.Message, r.Attempts, r.RunID, r.Batch, r.Written)
		if err != nil {
			return fmt.Errorf("ledger: write row %s of %s: %w", r.Key, r.Entity, err)
		}
	}
	return nil
}

// scanHistory reads rows selected with historyColumns.
func scanHistory(rows *sql.Rows) ([]Row, error) {
	return scanRowsAs(rows, func(r *Row, st *string) []any {
		return []any{&r.RunID, &r.Entity, &r.Pass, &r.Key, &r.ExternalID, &r.SourceKey, &r.Fingerprint, st, &r.OdooID,
			&r.Created, &r.Message, &r.Attempts, &r.Batch, &r.Written}
	})
}

// scanRows reads rows selected with rowColumns.
func scanRows(rows *sql.Rows) ([]Row, error) {
	return scanRowsAs(rows, func(r *Row, st *string) []any {
		return []any{&r.Entity, &r.Pass, &r.Key, &r.ExternalID, &r.SourceKey, &r.Fingerprint, st, &r.OdooID,
			&r.Created, &r.Message, &r.Attempts, &r.RunID, &r.Batch, &r.Written}
	})
}

// scanRowsAs reads rows, each into the fields dest lists in column order.
func scanRowsAs(rows *sql.Rows, dest func(r *Row, st *string) []any) ([]Row, error) {
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var st string
		if err := rows.Scan(dest(&r, &st)...); err != nil {
			return nil, fmt.Errorf("ledger: read row: %w", err)
		}
		r.State = State(st)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: read rows: %w", err)
	}
	return out, nil
}
