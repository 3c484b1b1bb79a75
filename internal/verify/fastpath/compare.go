package fastpath

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/ferry-migrate/ferry/internal/verify"
)

// segment is a range [lo, hi) of the records in id order.
type segment struct{ lo, hi int }

// detailChunk bounds the records one detail query reads.
const detailChunk = 10000

// parallelMin is the size of a query below which one connection does it
// all (each worker's query builds its own hash of ir_model_data).
const parallelMin = 50000

var readOnly = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// compare runs the descent over recs (sorted here by id, then external
// ID) in read-only, repeatable-read transactions that all share one
// snapshot, so every query sees the same database.
func (c *Checker) compare(ctx context.Context, p *modelPlan, recs []Record, names verify.Resolver, emit func(verify.Result)) (Stats, error) {
	st := Stats{Records: len(recs)}
	if len(recs) == 0 {
		return st, nil
	}
	for _, r := range recs {
		if len(r.Want) != len(p.cols) {
			return st, fmt.Errorf("fastpath: %s has %d values for %d fields", r.ExternalID, len(r.Want), len(p.cols))
		}
	}
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].ID != recs[j].ID {
			return recs[i].ID < recs[j].ID
		}
		return recs[i].ExternalID < recs[j].ExternalID
	})
	hashes := make([]int64, len(recs))
	var buf []byte
	for i, r := range recs {
		buf = token(buf, r.ExternalID, r.ID, r.Want)
		hashes[i] = digest(buf)
	}
	txs, err := c.begin(ctx)
	if err != nil {
		return st, err
	}
	defer func() {
		for _, tx := range txs {
			_ = tx.Rollback(ctx) // read-only: nothing to commit
		}
	}()
	r := &run{c: c, p: p, txs: txs, recs: recs, hashes: hashes, names: names, emit: emit, st: &st}
	detail, err := r.descend(ctx)
	if err != nil {
		return st, err
	}
	return st, r.detail(ctx, detail)
}

// begin opens one transaction per connection, the others importing the
// first one's snapshot; where snapshots cannot be exported, one
// connection does all the work.
func (c *Checker) begin(ctx context.Context) ([]pgx.Tx, error) {
	tx0, err := c.beginOn(ctx, c.conns[0], "")
	if err != nil {
		return nil, err
	}
	txs := []pgx.Tx{tx0}
	if len(c.conns) == 1 {
		return txs, nil
	}
	var snap string
	if err := tx0.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&snap); err != nil {
		_ = tx0.Rollback(ctx)
		tx0, err = c.beginOn(ctx, c.conns[0], "")
		return []pgx.Tx{tx0}, err
	}
	for _, conn := range c.conns[1:] {
		tx, err := c.beginOn(ctx, conn, snap)
		if err != nil {
			for _, t := range txs {
				_ = t.Rollback(ctx)
			}
			return nil, err
		}
		txs = append(txs, tx)
	}
	return txs, nil
}

func (c *Checker) beginOn(ctx context.Context, conn *pgx.Conn, snapshot string) (pgx.Tx, error) {
	tx, err := conn.BeginTx(ctx, readOnly)
	if err != nil {
		return nil, fmt.Errorf("fastpath: begin a read-only transaction: %w", err)
	}
	q := ""
	if snapshot != "" {
		q = "SET TRANSACTION SNAPSHOT " + quote(snapshot) + "; "
	}
	// %.15g for floats of unknown digits (verify's 'g' 15), UTC for any
	// timestamp with time zone.
	if _, err := tx.Exec(ctx, q+"SET LOCAL extra_float_digits = 0; SET LOCAL TimeZone = 'UTC'"); err != nil {
		_ = tx.Rollback(ctx)
		return nil, fmt.Errorf("fastpath: %w", err)
	}
	return tx, nil
}

// run is one comparison's state.
type run struct {
	c      *Checker
	p      *modelPlan
	txs    []pgx.Tx
	recs   []Record
	hashes []int64
	names  verify.Resolver
	emit   func(verify.Result)
	st     *Stats
}

// parallel runs fn on parts 0..n-1, part i on transaction i, at once.
func (r *run) parallel(n int, fn func(i int, tx pgx.Tx) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i, r.txs[i])
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// workers is how many transactions share a query of n records.
func (r *run) workers(n int) int {
	if n < r.c.parallelMin {
		return 1
	}
	return len(r.txs)
}

// descend compares segment digests level by level, one query per level
// for all the segments that still differ, until those segments hold at
// most LeafSize records in all, or half of a level differs (dense
// differences: splitting further would digest the same records again).
// Then one query returns their per-record digests, and descend returns
// the records whose digest differs, to be read in detail.
func (r *run) descend(ctx context.Context) ([]int, error) {
	level := []segment{{0, len(r.recs)}}
	dense := false
	for len(level) > 0 {
		size := 0
		for _, s := range level {
			size += s.hi - s.lo
		}
		if size <= r.c.leaf || dense {
			return r.recordDigests(ctx, level)
		}
		buckets := r.split(level)
		sums, err := r.digests(ctx, buckets)
		if err != nil {
			return nil, err
		}
		var next []segment
		differ := 0
		for b, s := range buckets {
			var sum sum128
			for _, h := range r.hashes[s.lo:s.hi] {
				sum.add(h)
			}
			if got, ok := sums[b]; ok && got.count == s.hi-s.lo && got.sum == sum.String() {
				r.matched(s)
				continue
			}
			next = append(next, s)
			differ += s.hi - s.lo
		}
		dense = differ*2 > size
		level = next
	}
	return nil, nil
}

// split cuts each segment into Fanout buckets of (nearly) equal size.
func (r *run) split(segs []segment) []segment {
	var out []segment
	k := r.c.fanout
	for _, s := range segs {
		n := s.hi - s.lo
		for j := 0; j < k; j++ {
			lo, hi := s.lo+n*j/k, s.lo+n*(j+1)/k
			if hi > lo {
				out = append(out, segment{lo, hi})
			}
		}
	}
	return out
}

type bucketSum struct {
	count int
	sum   string
}

// digests computes the SQL digest of every bucket: one query, or one per
// worker over consecutive buckets.
func (r *run) digests(ctx context.Context, buckets []segment) (map[int]bucketSum, error) {
	total := 0
	for _, s := range buckets {
		total += s.hi - s.lo
	}
	w := min(r.workers(total), len(buckets))
	parts := make([]map[int]bucketSum, w)
	r.st.Queries += w
	r.st.Levels++
	err := r.parallel(w, func(i int, tx pgx.Tx) error {
		var xs []string
		var bs []int32
		for b := i * len(buckets) / w; b < (i+1)*len(buckets)/w; b++ {
			for k := buckets[b].lo; k < buckets[b].hi; k++ {
				xs = append(xs, r.recs[k].ExternalID)
				bs = append(bs, int32(b))
			}
		}
		rows, err := tx.Query(ctx, r.p.digestSQL(len(xs)), xs, bs, r.p.model)
		if err != nil {
			return fmt.Errorf("fastpath: digest %s: %w", r.p.model, err)
		}
		out := map[int]bucketSum{}
		var b int32
		var n int64
		var sum string
		_, err = pgx.ForEachRow(rows, []any{&b, &n, &sum}, func() error {
			out[int(b)] = bucketSum{count: int(n), sum: sum}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fastpath: digest %s: %w", r.p.model, err)
		}
		parts[i] = out
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[int]bucketSum, len(buckets))
	for _, m := range parts {
		for b, s := range m {
			out[b] = s
		}
	}
	return out, nil
}

// recordDigests reads the digest of every record of segs (one query, or
// one per worker), emits the records whose digest matches and returns
// the others.
func (r *run) recordDigests(ctx context.Context, segs []segment) ([]int, error) {
	var idx []int
	for _, s := range segs {
		for i := s.lo; i < s.hi; i++ {
			idx = append(idx, i)
		}
	}
	w := r.workers(len(idx))
	got := make([][]int64, w) // per worker: pairs of (record, digest)
	r.st.Queries += w
	r.st.Levels++
	err := r.parallel(w, func(i int, tx pgx.Tx) error {
		part := idx[i*len(idx)/w : (i+1)*len(idx)/w]
		xs, ns := make([]string, len(part)), make([]int32, len(part))
		for k, j := range part {
			xs[k], ns[k] = r.recs[j].ExternalID, int32(j)
		}
		rows, err := tx.Query(ctx, r.p.recordSQL(len(xs)), xs, ns, r.p.model)
		if err != nil {
			return fmt.Errorf("fastpath: digest %s: %w", r.p.model, err)
		}
		var n int32
		var h int64
		_, err = pgx.ForEachRow(rows, []any{&n, &h}, func() error {
			got[i] = append(got[i], int64(n), h)
			return nil
		})
		if err != nil {
			return fmt.Errorf("fastpath: digest %s: %w", r.p.model, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	same := make([]bool, len(r.recs))
	for _, pairs := range got {
		for k := 0; k+1 < len(pairs); k += 2 {
			n := int(pairs[k])
			if n >= 0 && n < len(r.hashes) && r.hashes[n] == pairs[k+1] {
				same[n] = true
			}
		}
	}
	var differ []int
	for _, i := range idx {
		if same[i] {
			r.matched(segment{i, i + 1})
		} else {
			differ = append(differ, i)
		}
	}
	return differ, nil
}

func (r *run) matched(s segment) {
	for _, rec := range r.recs[s.lo:s.hi] {
		r.st.Match++
		r.emit(verify.Result{Entity: rec.Entity, Model: r.p.model, ExternalID: rec.ExternalID, ID: rec.ID, Status: verify.Match})
	}
}

// detail reads the records idx and compares them field by field, in
// chunks spread over the workers; verdicts are emitted in order, on the
// caller's goroutine.
func (r *run) detail(ctx context.Context, idx []int) error {
	var chunks [][]int
	for len(idx) > 0 {
		n := min(len(idx), r.c.detailChunk)
		chunks, idx = append(chunks, idx[:n]), idx[n:]
	}
	for len(chunks) > 0 {
		w := min(len(r.txs), len(chunks))
		if len(chunks) == 1 {
			w = 1
		}
		results := make([][]verify.Result, w)
		r.st.Queries += w
		err := r.parallel(w, func(i int, tx pgx.Tx) error {
			var err error
			results[i], err = r.detailChunk(ctx, tx, chunks[i])
			return err
		})
		if err != nil {
			return err
		}
		for _, rs := range results {
			for _, res := range rs {
				r.st.Detailed++
				switch res.Status {
				case verify.Match:
					r.st.Match++
				case verify.Differ:
					r.st.Differ++
				case verify.Missing:
					r.st.Missing++
				}
				r.emit(res)
			}
		}
		chunks = chunks[w:]
	}
	return nil
}

func (r *run) detailChunk(ctx context.Context, tx pgx.Tx, idx []int) ([]verify.Result, error) {
	xs := make([]string, len(idx))
	ns := make([]int32, len(idx))
	for k, i := range idx {
		xs[k], ns[k] = r.recs[i].ExternalID, int32(i)
	}
	rows, err := tx.Query(ctx, r.p.detailSQL(), xs, ns, r.p.model)
	if err != nil {
		return nil, fmt.Errorf("fastpath: read %s: %w", r.p.model, err)
	}
	defer rows.Close()
	out := make([]verify.Result, 0, len(idx))
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, fmt.Errorf("fastpath: read %s: %w", r.p.model, err)
		}
		i, _ := vals[0].(int32)
		if int(i) < 0 || int(i) >= len(r.recs) {
			return nil, fmt.Errorf("fastpath: read %s: row number %d out of range", r.p.model, i)
		}
		out = append(out, r.result(r.recs[i], vals[1], vals[2] == true, vals[3:]))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fastpath: read %s: %w", r.p.model, err)
	}
	return out, nil
}

// result compares one record read from the database the way CompareRow
// does.
func (r *run) result(rec Record, id any, synced bool, vals []any) verify.Result {
	res := verify.Result{Entity: rec.Entity, Model: r.p.model, ExternalID: rec.ExternalID, ID: rec.ID, Status: verify.Match}
	gotID, ok := id.(int64)
	if !ok {
		res.Status = verify.Missing
		return res
	}
	res.ID = gotID
	for k, col := range r.p.cols {
		want, got := rec.Want[k], gotToken(col, vals[k])
		if want == "" && synced && verify.ParentSynced(r.p.model, col.f.Name) {
			continue // left empty: Odoo copies it from the parent company
		}
		if want == wantEmpty {
			want = ""
		}
		if want == got {
			continue
		}
		d := verify.FieldDiff{Field: col.f.Name, Want: want, Got: got}
		if col.kind != scalar {
			d.Want, d.Got = display(col.f.Relation, want, r.names), display(col.f.Relation, got, r.names)
		}
		res.Diffs = append(res.Diffs, d)
	}
	if len(res.Diffs) > 0 {
		res.Status = verify.Differ
	}
	return res
}

// gotToken canonicalizes a value read from the database: scalars by
// verify's own canonicalization, relations as sorted ids.
func gotToken(col column, v any) string {
	switch col.kind {
	case many2one:
		if n, ok := v.(int64); ok {
			return strconv.FormatInt(n, 10)
		}
		return ""
	case many2many:
		list, _ := v.([]any)
		nums := make([]int64, 0, len(list))
		for _, x := range list {
			if n, ok := x.(int64); ok {
				nums = append(nums, n)
			}
		}
		return joinIDs(nums, nil)
	}
	return verify.CanonicalScalar(col.f, v)
}
