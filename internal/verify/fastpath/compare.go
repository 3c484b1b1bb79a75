package fastpath

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/ferry-migrate/ferry/internal/verify"
)

// segment is a range [lo, hi) of the records in id order.
type segment struct{ lo, hi int }

// detailChunk bounds the records one detail query reads.
const detailChunk = 20000

// compare runs the descent over recs (sorted here by id, then external
// ID) in one read-only, repeatable-read transaction, so every query sees
// the same snapshot of the database.
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
	tx, err := c.conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return st, fmt.Errorf("fastpath: begin a read-only transaction: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// %.15g for floats of unknown digits (verify's 'g' 15), UTC for any
	// timestamp with time zone.
	if _, err := tx.Exec(ctx, "SET LOCAL extra_float_digits = 0; SET LOCAL TimeZone = 'UTC'"); err != nil {
		return st, fmt.Errorf("fastpath: %w", err)
	}
	r := &run{c: c, p: p, tx: tx, recs: recs, hashes: hashes, names: names, emit: emit, st: &st}
	detail, err := r.descend(ctx)
	if err != nil {
		return st, err
	}
	if err := r.detail(ctx, detail); err != nil {
		return st, err
	}
	return st, tx.Commit(ctx)
}

// run is one comparison's state.
type run struct {
	c      *Checker
	p      *modelPlan
	tx     pgx.Tx
	recs   []Record
	hashes []int64
	names  verify.Resolver
	emit   func(verify.Result)
	st     *Stats
}

// descend compares segment digests level by level, one query per level
// for all the segments that still differ, and returns the segments to
// compare record by record: those at most LeafSize long, and all the
// differing ones once most of a level differs (descending further would
// read them anyway).
func (r *run) descend(ctx context.Context) ([]segment, error) {
	level := []segment{{0, len(r.recs)}}
	var detail []segment
	for len(level) > 0 {
		var query []segment
		for _, s := range level {
			if s.hi-s.lo <= r.c.leaf {
				detail = append(detail, s)
			} else {
				query = append(query, s)
			}
		}
		if len(query) == 0 {
			break
		}
		buckets := r.split(query)
		sums, err := r.digests(ctx, buckets)
		if err != nil {
			return nil, err
		}
		var next []segment
		total, differ := 0, 0
		for b, s := range buckets {
			total += s.hi - s.lo
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
		if differ*2 > total {
			detail = append(detail, next...)
			next = nil
		}
		level = next
	}
	return detail, nil
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

// digests computes, in one query, the SQL digest of every bucket.
func (r *run) digests(ctx context.Context, buckets []segment) (map[int]bucketSum, error) {
	var xs []string
	var bs []int32
	for b, s := range buckets {
		for i := s.lo; i < s.hi; i++ {
			xs = append(xs, r.recs[i].ExternalID)
			bs = append(bs, int32(b))
		}
	}
	r.st.Queries++
	r.st.Levels++
	rows, err := r.tx.Query(ctx, r.p.digestSQL(), xs, bs, r.p.model)
	if err != nil {
		return nil, fmt.Errorf("fastpath: digest %s: %w", r.p.model, err)
	}
	out := make(map[int]bucketSum, len(buckets))
	var b int32
	var n int64
	var sum string
	_, err = pgx.ForEachRow(rows, []any{&b, &n, &sum}, func() error {
		out[int(b)] = bucketSum{count: int(n), sum: sum}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fastpath: digest %s: %w", r.p.model, err)
	}
	return out, nil
}

func (r *run) matched(s segment) {
	for _, rec := range r.recs[s.lo:s.hi] {
		r.st.Match++
		r.emit(verify.Result{Entity: rec.Entity, Model: r.p.model, ExternalID: rec.ExternalID, ID: rec.ID, Status: verify.Match})
	}
}

// detail reads the records of segs and compares them field by field.
func (r *run) detail(ctx context.Context, segs []segment) error {
	var idx []int
	for _, s := range segs {
		for i := s.lo; i < s.hi; i++ {
			idx = append(idx, i)
		}
	}
	for len(idx) > 0 {
		n := min(len(idx), detailChunk)
		if err := r.detailChunk(ctx, idx[:n]); err != nil {
			return err
		}
		idx = idx[n:]
	}
	return nil
}

func (r *run) detailChunk(ctx context.Context, idx []int) error {
	xs := make([]string, len(idx))
	ns := make([]int32, len(idx))
	for k, i := range idx {
		xs[k], ns[k] = r.recs[i].ExternalID, int32(i)
	}
	r.st.Queries++
	rows, err := r.tx.Query(ctx, r.p.detailSQL(), xs, ns, r.p.model)
	if err != nil {
		return fmt.Errorf("fastpath: read %s: %w", r.p.model, err)
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return fmt.Errorf("fastpath: read %s: %w", r.p.model, err)
		}
		i, _ := vals[0].(int32)
		if int(i) < 0 || int(i) >= len(r.recs) {
			return fmt.Errorf("fastpath: read %s: row number %d out of range", r.p.model, i)
		}
		r.st.Detailed++
		r.result(r.recs[i], vals[1], vals[2] == true, vals[3:])
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fastpath: read %s: %w", r.p.model, err)
	}
	return nil
}

// result compares one record read from the database the way CompareRow
// does and emits the verdict.
func (r *run) result(rec Record, id any, synced bool, vals []any) {
	res := verify.Result{Entity: rec.Entity, Model: r.p.model, ExternalID: rec.ExternalID, ID: rec.ID, Status: verify.Match}
	gotID, ok := id.(int64)
	if !ok {
		res.Status = verify.Missing
		r.st.Missing++
		r.emit(res)
		return
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
		r.st.Differ++
	} else {
		r.st.Match++
	}
	r.emit(res)
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
