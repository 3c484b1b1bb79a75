package scaffold

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/validate"
)

// Match pairs a source column with a field of the target model.
type Match struct {
	Column string
	Field  string
	// Score is how sure the match is (0..1): the name score times the type
	// fit. Reason says what matched and Fit how the values suit the type.
	Score  float64
	Reason string
	Fit    string
}

// threshold is the lowest score Assign accepts.
const threshold = 0.6

// skipFields are never written by a migration.
var skipFields = map[string]bool{"id": true, "display_name": true, "create_date": true, "write_date": true,
	"create_uid": true, "write_uid": true, "__last_update": true, "state": true}

// writableTypes are the field types a column can feed.
var writableTypes = map[string]bool{"char": true, "text": true, "html": true, "integer": true, "float": true,
	"monetary": true, "boolean": true, "date": true, "datetime": true, "selection": true, "many2one": true, "many2many": true}

// Writable says whether a migration can map a column to f.
func Writable(f validate.Field) bool {
	return writableTypes[f.Type] && !f.Readonly && !skipFields[f.Name] &&
		!strings.HasPrefix(f.Name, "message_") && !strings.HasPrefix(f.Name, "activity_")
}

// NameScore scores a column's name against a field's name and label
// (string), without looking at values.
func NameScore(column string, f validate.Field) (float64, string) {
	cn, fn := Normalize(column), Normalize(f.Name)
	base, label := fieldBase(fn), Normalize(f.String)
	best, why := 0.0, ""
	try := func(s float64, reason string) {
		if s > best {
			best, why = s, reason
		}
	}
	switch {
	case cn == fn || cn == base:
		try(1, "name")
	case sameGroup(cn, base) || sameGroup(cn, fn):
		try(0.9, fmt.Sprintf("synonym %s ~ %s", cn, f.Name))
	}
	if label != "" {
		switch {
		case cn == label || fold(column) == fold(f.String):
			try(0.95, fmt.Sprintf("label %q", f.String))
		case sameGroup(cn, label):
			try(0.85, fmt.Sprintf("label %q (synonym)", f.String))
		default:
			if s := similarity(cn, label); s >= 0.75 {
				try(0.9*s, fmt.Sprintf("label %q", f.String))
			}
		}
	}
	if s := similarity(cn, base); s >= 0.75 {
		try(0.85*s, "similar name")
	}
	if strings.HasSuffix(cn, "_"+base) && len(base) > 2 { // billing_city → city
		try(0.7, fmt.Sprintf("name ends in %s", base))
	}
	return best, why
}

// Fit scales a name score by how well the column's values suit the
// field's type: 1 fits, 0 cannot be loaded.
func Fit(p Profile, f validate.Field) float64 {
	if p.Kind == KindEmpty {
		return 1
	}
	k := p.Kind
	switch f.Type {
	case "char", "text", "html":
		return pick(k != KindBytes, 1)
	case "integer":
		return pick(k == KindInt, 1)
	case "float", "monetary":
		return pick(k == KindInt || k == KindNumber, 1)
	case "boolean":
		return pick(k == KindBool || p.Boolish, 1)
	case "date":
		return pick(k == KindDate, 1) + pick(k == KindDateTime, 0.9)
	case "datetime":
		return pick(k == KindDateTime, 1) + pick(k == KindDate, 0.9)
	case "many2one":
		return pick(k == KindText || k == KindInt && !p.Typed, 1) + pick(k == KindInt && p.Typed, 0.8) +
			pick(k == KindEmail || k == KindPhone, 0.5)
	case "many2many":
		return pick(k == KindText, 0.8)
	case "selection":
		if k == KindBytes || k == KindDate || k == KindDateTime {
			return 0
		}
		if _, ok := selectionMap(p, f); ok {
			return 1
		}
		return 0.7
	}
	return 0
}

func pick(ok bool, v float64) float64 {
	if ok {
		return v
	}
	return 0
}

// weight raises fields a plan most needs (the record's name and required
// fields) when columns compete for them; it is not part of the score shown.
func weight(f validate.Field) float64 {
	if f.Name == "name" || f.Required {
		return 0.15
	}
	return 0
}

// Assign matches columns to fields: every candidate pair at or above the
// threshold, best first, each column and each field at most once.
func Assign(profiles []Profile, fields map[string]validate.Field) []Match {
	type cand struct {
		m   Match
		w   float64
		col int
	}
	var cands []cand
	for i, p := range profiles {
		for _, f := range fields {
			if !Writable(f) {
				continue
			}
			s, why := NameScore(p.Name, f)
			fit := Fit(p, f)
			if s*fit < threshold {
				continue
			}
			cands = append(cands, cand{m: Match{Column: p.Name, Field: f.Name, Score: s * fit, Reason: why, Fit: p.Describe()},
				w: s*fit + weight(f), col: i})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.w != b.w {
			return a.w > b.w
		}
		if a.col != b.col {
			return a.col < b.col
		}
		return a.m.Field < b.m.Field
	})
	usedCol, usedField := map[string]bool{}, map[string]bool{}
	var out []Match
	for _, c := range cands {
		if usedCol[c.m.Column] || usedField[c.m.Field] {
			continue
		}
		usedCol[c.m.Column], usedField[c.m.Field] = true, true
		out = append(out, c.m)
	}
	return out
}

// keyWords mark a column name that reads like an identifier.
var keyWords = map[string]bool{"id": true, "code": true, "number": true, "key": true, "ref": true, "reference": true}

// PickKey chooses the key column: unique and never empty over the sample,
// an identifier-like name first, then the source's order. ok is false when
// no column qualifies (the first column is returned).
func PickKey(profiles []Profile) (string, bool) {
	best, bestRank := -1, 3
	for i, p := range profiles {
		if !p.Unique || p.NonEmpty != p.Values || p.Values == 0 || p.Kind == KindBytes {
			continue
		}
		rank := 2
		for _, t := range strings.Split(Normalize(p.Name), "_") {
			if keyWords[t] {
				rank = 0
			}
		}
		if rank == 2 && (p.Kind == KindInt || p.Kind == KindText) {
			rank = 1
		}
		if rank < bestRank {
			best, bestRank = i, rank
		}
	}
	if best < 0 {
		if len(profiles) == 0 {
			return "", false
		}
		return profiles[0].Name, false
	}
	return profiles[best].Name, true
}
