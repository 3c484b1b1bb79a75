package pipeline

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/zeebo/xxh3"

	"github.com/ferry-migrate/ferry/internal/record"
)

// entityState is what Stream remembers about an entity: key indexes
// (hashed, 16 bytes a key, spilled to disk beyond the budget: keyindex.go)
// for duplicates, case clashes, unique rules and references, and each
// row's pass-1 state for pass 2 (one byte a row).
type entityState struct {
	columns []string
	keys    *keyIndex // key hash → line, with readyBit once the row is Ready
	lower   *keyIndex // lower-cased key hash → key hash
	present *keyIndex // key hashes in the source (presentKeys)
	dups    []*keyIndex
	uniques map[int]*keyIndex
	pass1   []uint8
	done    bool
}

func (p *Pipeline) state(name string) *entityState {
	st, ok := p.states[name]
	if !ok {
		st = &entityState{keys: newKeyIndex(p.budget), lower: newKeyIndex(p.budget), uniques: map[int]*keyIndex{}}
		p.states[name] = st
	}
	return st
}

// release frees the state's key indexes.
func (st *entityState) release() {
	for _, x := range append([]*keyIndex{st.keys, st.lower, st.present}, st.dups...) {
		x.release()
	}
	for _, x := range st.uniques {
		x.release()
	}
}

func hash(s string) uint64 { return xxh3.HashString(s) }

// hashLower is hash(strings.ToLower(s)), lower-casing an ASCII s of up to
// 128 bytes on the stack instead of building the string.
func hashLower(s string) uint64 {
	var buf [128]byte
	if len(s) > len(buf) {
		return hash(strings.ToLower(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return hash(strings.ToLower(s))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return xxh3.Hash(buf[:len(s)])
}

// readyBit marks, in an entity's keys index, the rows that are Ready: the
// keys references are checked against once the entity is streamed.
const readyBit = 1 << 63

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
func (p *Pipeline) presentKeys(ctx context.Context, name string) (*keyIndex, error) {
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
	present := newKeyIndex(p.budget)
	err = src.Scan(ctx, record.Position{}, func(rec *record.Record) error {
		if parts, ok := keyParts(rec, c.e.Key); ok {
			present.put(hash(p.lib.Ref(name, parts).ExternalID), 1)
		}
		return p.budget.err
	})
	st.present = present
	return present, err
}
