package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
)

// sent holds the pending rows of the batches marked sent whose rows are
// not written to the rows table yet. MarkSent stores a batch's pending
// rows as one value in its batches row instead of writing each row, and
// Commit writes each row once, the pending state merged with Odoo's
// answer: half the row writes of a load, the larger part of Ferry's own
// work per record.
//
// The result is the same as writing the pending rows at MarkSent, since a
// row's write depends only on that row's stored state: pending rows are
// written before any other write that touches one of them (a batch sent
// again after a failure, a row put), before every read of rows, and,
// after a crash, when the ledger is next opened. So at most one batch
// holds a row's unwritten pending state at any time, and the rows as read
// are always what the writes in their order made them.
type sent struct {
	mu      sync.Mutex // held across each transaction that writes rows
	batches map[batchKey][]Row
	owner   map[rowKey]batchKey
}

type batchKey struct {
	run, entity string
	pass        int
	seq         int64
}

type rowKey struct {
	entity string
	pass   int
	key    string
}

func keyOfBatch(b Batch) batchKey { return batchKey{b.RunID, b.Entity, b.Pass, b.Seq} }
func keyOfRow(r Row) rowKey       { return rowKey{r.Entity, r.Pass, r.Key} }

// holding returns the batches other than self that hold the unwritten
// pending state of one of rows. Call with mu held.
func (s *sent) holding(rows []Row, self batchKey) []batchKey {
	if len(s.owner) == 0 {
		return nil
	}
	seen := map[batchKey]bool{}
	var out []batchKey
	for _, r := range rows {
		if b, ok := s.owner[keyOfRow(r)]; ok && b != self && !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

// all returns every batch holding unwritten pending rows. Call with mu held.
func (s *sent) all() []batchKey {
	out := make([]batchKey, 0, len(s.batches))
	for b := range s.batches {
		out = append(out, b)
	}
	return out
}

// add records a batch's pending rows, once its transaction committed.
func (s *sent) add(b batchKey, rows []Row) {
	if s.batches == nil {
		s.batches, s.owner = map[batchKey][]Row{}, map[rowKey]batchKey{}
	}
	s.batches[b] = rows
	for _, r := range rows {
		s.owner[keyOfRow(r)] = b
	}
}

// drop forgets batches whose pending rows were written, once the
// transaction that wrote them committed.
func (s *sent) drop(bs ...batchKey) {
	for _, b := range bs {
		for _, r := range s.batches[b] {
			if s.owner[keyOfRow(r)] == b {
				delete(s.owner, keyOfRow(r))
			}
		}
		delete(s.batches, b)
	}
}

// writePending writes the pending rows of batches bs and clears the copy
// stored with each batch.
func (s *sent) writePending(ctx context.Context, t *tx, bs []batchKey) error {
	for _, b := range bs {
		if err := putRows(ctx, t, s.batches[b]); err != nil {
			return err
		}
		if err := clearPending(ctx, t, b); err != nil {
			return err
		}
	}
	return nil
}

func clearPending(ctx context.Context, t *tx, b batchKey) error {
	_, err := t.ExecContext(ctx, `UPDATE batches SET pending = '' WHERE run_id = ? AND entity = ? AND pass = ? AND seq = ?`,
		b.run, b.entity, b.pass, b.seq)
	if err != nil {
		return fmt.Errorf("ledger: batch %d of %s: %w", b.seq, b.entity, err)
	}
	return nil
}

// afterPending runs fn in one transaction after writing the pending rows
// of batches before, and forgets those batches and self once it
// committed. Call with sent.mu held.
func (s *Store) afterPending(ctx context.Context, before []batchKey, self batchKey, fn func(*tx) error) error {
	err := s.tx(ctx, func(t *tx) error {
		if err := s.sent.writePending(ctx, t, before); err != nil {
			return err
		}
		return fn(t)
	})
	if err == nil {
		s.sent.drop(append(before, self)...)
	}
	return err
}

// settle writes every batch's unwritten pending rows: before a read of
// rows, and when the Store closes.
func (s *Store) settle(ctx context.Context) error {
	s.sent.mu.Lock()
	defer s.sent.mu.Unlock()
	if len(s.sent.batches) == 0 {
		return nil
	}
	return s.afterPending(ctx, s.sent.all(), batchKey{}, func(*tx) error { return nil })
}

// settleStored writes the pending rows stored with batches when the
// ledger opens: the batches a process that stopped before writing them
// had in flight. One process holds the ledger at a time, so none is in
// flight now.
func (s *Store) settleStored(ctx context.Context) error {
	if err := s.loadStored(ctx); err != nil {
		return err
	}
	return s.settle(ctx)
}

// loadStored reads the pending rows stored with batches into s.sent.
func (s *Store) loadStored(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, entity, pass, seq, pending FROM batches WHERE pending <> ''`)
	if err != nil {
		return fmt.Errorf("ledger: read the batches in flight: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b batchKey
		var blob string
		if err := rows.Scan(&b.run, &b.entity, &b.pass, &b.seq, &blob); err != nil {
			return fmt.Errorf("ledger: read the batches in flight: %w", err)
		}
		var pending []Row
		if err := json.Unmarshal([]byte(blob), &pending); err != nil {
			return fmt.Errorf("ledger: the pending rows of batch %d of %s: %w", b.seq, b.entity, err)
		}
		s.sent.add(b, pending)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ledger: read the batches in flight: %w", err)
	}
	return nil
}

// answered returns the rows a batch's commit writes: each of its pending
// rows merged with the row that answers it (one write giving what the
// pending write followed by the answer's would), the pending rows no row
// answers (sent again in a later batch) as they are, then answers without
// a pending row.
func answered(pending, done []Row) []Row {
	if len(pending) == 0 {
		return done
	}
	at := make(map[rowKey]int, len(done))
	for i, d := range done {
		at[keyOfRow(d)] = i
	}
	used := make([]bool, len(done))
	out := make([]Row, 0, len(pending)+len(done))
	for _, p := range pending {
		i, ok := at[keyOfRow(p)]
		switch {
		case !ok:
			out = append(out, p)
		case p.RunID != done[i].RunID: // no merge across runs: both writes, in order
			out = append(out, p, done[i])
			used[i] = true
		default:
			out = append(out, merge(p, done[i]))
			used[i] = true
		}
	}
	for i, d := range done {
		if !used[i] {
			out = append(out, d)
		}
	}
	return out
}

// merge is pending row p followed by d of the same run, as upsertRow
// applies them: d's values, an Odoo id and written values kept from p when
// d has none, created if either says so, attempts added.
func merge(p, d Row) Row {
	if d.OdooID == 0 {
		d.OdooID = p.OdooID
	}
	if d.Written == "" {
		d.Written = p.Written
	}
	d.Created = d.Created || p.Created
	d.Attempts += p.Attempts
	return d
}
