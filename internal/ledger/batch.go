package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// BatchState is a batch's state.
type BatchState string

// Batch states.
const (
	Sent      BatchState = "sent"
	Committed BatchState = "committed"
)

// Batch is one load call of an entity pass.
type Batch struct {
	RunID  string     `json:"run_id"`
	Entity string     `json:"entity"`
	Pass   int        `json:"pass"`
	Seq    int64      `json:"seq"`
	Rows   int        `json:"rows"`
	State  BatchState `json:"state"`
}

// Image is a record's values before the run first updated it.
type Image struct {
	RunID      string          `json:"run_id"`
	Model      string          `json:"model"`
	OdooID     int64           `json:"odoo_id"`
	ExternalID string          `json:"xmlid,omitempty"`
	Fields     json.RawMessage `json:"fields"`
}

// NextSeq returns the next free batch number of an entity pass in a run
// (1 for the first), so a resumed run continues the numbering.
func (s *Store) NextSeq(ctx context.Context, runID, entity string, pass int) (int64, error) {
	var n sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT MAX(seq) FROM batches WHERE run_id = ? AND entity = ? AND pass = ?`,
		runID, entity, pass).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("ledger: batch numbers of %s: %w", entity, err)
	}
	return n.Int64 + 1, nil
}

// MarkSent records, before the call, that batch b is about to be sent
// with rows (state Pending) and the before-images of the records it
// updates. Per record and run, the first value read of each field is
// kept: a later image only adds fields. The pending rows are stored with
// the batch and written to rows later, each once (see sent); every read
// sees them as written now.
func (s *Store) MarkSent(ctx context.Context, b Batch, rows []Row, images []Image) error {
	b.State = Sent
	blob, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("ledger: batch %d of %s: %w", b.Seq, b.Entity, err)
	}
	s.sent.mu.Lock()
	defer s.sent.mu.Unlock()
	self := keyOfBatch(b)
	before := s.sent.holding(rows, self)
	if _, again := s.sent.batches[self]; again { // its earlier pending rows are written first
		before = append(before, self)
	}
	err = s.afterPending(ctx, before, batchKey{}, func(t *tx) error {
		if err := putBatch(ctx, t, b, string(blob)); err != nil {
			return err
		}
		return putImages(ctx, t, images)
	})
	if err == nil {
		s.sent.add(self, rows)
	}
	return err
}

// Commit records Odoo's answer: the rows' terminal states and the batch
// committed, in one transaction. The batch's pending rows no row of rows
// answers stay pending (they are sent again in a later batch).
func (s *Store) Commit(ctx context.Context, b Batch, rows []Row) error {
	b.State = Committed
	self := keyOfBatch(b)
	s.sent.mu.Lock()
	defer s.sent.mu.Unlock()
	rows = answered(s.sent.batches[self], rows)
	return s.afterPending(ctx, s.sent.holding(rows, self), self, func(t *tx) error {
		if err := putBatch(ctx, t, b, ""); err != nil {
			return err
		}
		return putRows(ctx, t, rows)
	})
}

// Batches returns a run's batches in order.
func (s *Store) Batches(ctx context.Context, runID string) ([]Batch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, entity, pass, seq, rows, state FROM batches WHERE run_id = ?
		ORDER BY entity, pass, seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("ledger: read batches of run %s: %w", runID, err)
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		var b Batch
		var st string
		if err := rows.Scan(&b.RunID, &b.Entity, &b.Pass, &b.Seq, &b.Rows, &st); err != nil {
			return nil, fmt.Errorf("ledger: read batch: %w", err)
		}
		b.State = BatchState(st)
		out = append(out, b)
	}
	return out, rows.Err()
}

// Images returns a run's before-images.
func (s *Store) Images(ctx context.Context, runID string) ([]Image, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, model, odoo_id, external_id, fields FROM images WHERE run_id = ?
		ORDER BY model, odoo_id`, runID)
	if err != nil {
		return nil, fmt.Errorf("ledger: read images of run %s: %w", runID, err)
	}
	defer rows.Close()
	var out []Image
	for rows.Next() {
		var im Image
		var f string
		if err := rows.Scan(&im.RunID, &im.Model, &im.OdooID, &im.ExternalID, &f); err != nil {
			return nil, fmt.Errorf("ledger: read image: %w", err)
		}
		im.Fields = json.RawMessage(f)
		out = append(out, im)
	}
	return out, rows.Err()
}

// putBatch writes a batch with its pending rows (JSON; empty once they
// are written to rows).
func putBatch(ctx context.Context, t *tx, b Batch, pending string) error {
	_, err := t.ExecContext(ctx, `INSERT INTO batches (run_id, entity, pass, seq, rows, state, pending) VALUES (?,?,?,?,?,?,?)
		ON CONFLICT (run_id, entity, pass, seq) DO UPDATE SET rows = excluded.rows, state = excluded.state, pending = excluded.pending`,
		b.RunID, b.Entity, b.Pass, b.Seq, b.Rows, string(b.State), pending)
	if err != nil {
		return fmt.Errorf("ledger: batch %d of %s: %w", b.Seq, b.Entity, err)
	}
	return nil
}

func putImages(ctx context.Context, t *tx, images []Image) error {
	for _, im := range images {
		_, err := t.ExecContext(ctx, `INSERT INTO images (run_id, model, odoo_id, external_id, fields) VALUES (?,?,?,?,?)
			ON CONFLICT (run_id, model, odoo_id) DO UPDATE SET fields = json_patch(excluded.fields, images.fields)`, im.RunID, im.Model, im.OdooID, im.ExternalID, string(im.Fields))
		if err != nil {
			return fmt.Errorf("ledger: before-image of %s %d: %w", im.Model, im.OdooID, err)
		}
	}
	return nil
}
