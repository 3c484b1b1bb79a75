package pipeline

import (
	"context"
	"strings"

	"github.com/zeebo/xxh3"

	"github.com/ferry-migrate/ferry/internal/record"
)

// entityState is what Stream remembers about an entity: key indexes
// (hashed, 8 bytes a key) for duplicates, case clashes, unique rules and
// references, and each row's pass-1 state for pass 2.
type entityState struct {
	columns []string
	keys    map[uint64]int64
	lower   map[uint64]uint64
	ready   map[uint64]struct{}
	present map[uint64]struct{}
	dups    []map[uint64]int64
	uniques map[int]map[uint64]int64
	pass1   []State
	done    bool
}

func (p *Pipeline) state(name string) *entityState {
	st, ok := p.states[name]
	if !ok {
		st = &entityState{keys: map[uint64]int64{}, lower: map[uint64]uint64{}, ready: map[uint64]struct{}{},
			uniques: map[int]map[uint64]int64{}}
		p.states[name] = st
	}
	return st
}

func hash(s string) uint64 { return xxh3.HashString(s) }

func lineOf(pos record.Position) int64 {
	if pos.Line > 0 {
		return pos.Line
	}
	return pos.Row
}

// keyParts reads the key columns of rec, trimmed; ok is false when one is empty.
func keyParts(rec *record.Record, cols []string) ([]string, bool) {
	parts := make([]string, 0, len(cols))
	for _, c := range cols {
		s := strings.TrimSpace(record.Text(rec.Values[c]))
		if s == "" {
			return nil, false
		}
		parts = append(parts, s)
	}
	return parts, true
}

// presentKeys scans an entity's source once for its keys, so references
// to rows that come later in the same entity (or its group) can be checked
// before that entity is loaded.
func (p *Pipeline) presentKeys(ctx context.Context, name string) (map[uint64]struct{}, error) {
	st := p.state(name)
	if st.present != nil {
		return st.present, nil
	}
	c := p.entities[name]
	src, err := p.open(ctx, c.e.From)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if _, err := src.Schema(ctx); err != nil {
		return nil, err
	}
	present := map[uint64]struct{}{}
	err = src.Scan(ctx, record.Position{}, func(rec *record.Record) error {
		if parts, ok := keyParts(rec, c.e.Key); ok {
			present[hash(p.lib.Ref(name, parts).ExternalID)] = struct{}{}
		}
		return nil
	})
	st.present = present
	return present, err
}
