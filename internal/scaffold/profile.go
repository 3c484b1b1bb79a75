package scaffold

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Kind is what a column's sampled values look like.
type Kind string

// Column kinds, from the most specific.
const (
	KindEmpty    Kind = "empty"
	KindDate     Kind = "date"
	KindDateTime Kind = "datetime"
	KindInt      Kind = "int"
	KindNumber   Kind = "number"
	KindBool     Kind = "bool"
	KindEmail    Kind = "email"
	KindPhone    Kind = "phone"
	KindText     Kind = "text"
	KindBytes    Kind = "bytes"
)

// Profile describes one source column from a sample of its values.
type Profile struct {
	Name     string
	Kind     Kind
	Typed    bool   // the source typed the values (a database column), no parsing needed
	Format   string // date or datetime format (parse_date tokens) that reads every value
	Locale   string // number locale ("de": 1.234,56; "en": 1,234.56); "" when the values have no separators
	Ambig    string // another format or locale that reads every value too
	Boolish  bool   // every value is a boolean word (Y/N, 1/0, Oui/Non, ...)
	Country  bool   // every value is a two-letter code
	Values   int    // sampled rows
	NonEmpty int    // sampled rows with a value
	Unique   bool   // no two non-empty values are equal
	Distinct []string
}

// maxDistinct bounds the distinct values a profile keeps (for selections).
const maxDistinct = 50

var (
	intRe   = regexp.MustCompile(`^[+-]?\d+$`)
	deNumRe = regexp.MustCompile(`^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$`)
	enNumRe = regexp.MustCompile(`^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$`)
	emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phoneRe = regexp.MustCompile(`^\+?[\d\s()./-]{6,}$`)
	alpha2  = regexp.MustCompile(`^[A-Za-z]{2}$`)
	zeroLed = regexp.MustCompile(`^[+-]?0\d`)
)

// dateFormats and datetimeFormats are tried in order; the first that reads
// every sampled value wins.
var (
	dateFormats = []string{"YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY", "DD-MM-YYYY", "YYYY/MM/DD",
		"D/M/YYYY", "M/D/YYYY", "D.M.YYYY", "DD/MM/YY", "MM/DD/YY", "DD.MM.YY"}
	datetimeFormats = []string{"YYYY-MM-DD HH:mm:ss", "YYYY-MM-DDTHH:mm:ss", "YYYY-MM-DD HH:mm", "DD/MM/YYYY HH:mm:ss",
		"DD/MM/YYYY HH:mm", "MM/DD/YYYY HH:mm:ss", "MM/DD/YYYY HH:mm", "DD.MM.YYYY HH:mm:ss", "DD.MM.YYYY HH:mm"}
)

// ProfileColumn profiles column col from the sampled rows.
func ProfileColumn(col record.Column, rows []map[string]any) Profile {
	p := Profile{Name: col.Name, Values: len(rows)}
	var texts []string
	seen := map[string]bool{}
	p.Unique = true
	for _, r := range rows {
		v := r[col.Name]
		if mapping.Empty(v) {
			continue
		}
		p.NonEmpty++
		s := strings.TrimSpace(record.Text(v))
		if seen[s] {
			p.Unique = false
		} else if len(p.Distinct) < maxDistinct {
			p.Distinct = append(p.Distinct, s)
		}
		seen[s] = true
		texts = append(texts, s)
	}
	sort.Strings(p.Distinct)
	if p.NonEmpty == 0 {
		p.Kind, p.Unique = KindEmpty, false
		return p
	}
	if k, ok := typedKinds[col.Type]; ok {
		p.Kind, p.Typed = k, true
		return p
	}
	p.classify(texts)
	return p
}

// typedKinds are the column types a database source reports, whose
// values need no parsing.
var typedKinds = map[record.Type]Kind{record.TypeInt: KindInt, record.TypeFloat: KindNumber, record.TypeBool: KindBool,
	record.TypeDate: KindDate, record.TypeDateTime: KindDateTime, record.TypeBytes: KindBytes}

// classify reads the kind of text values: the first kind every value fits.
func (p *Profile) classify(texts []string) {
	p.Boolish = all(texts, func(s string) bool { _, err := mapping.ParseBool(s); return err == nil })
	p.Country = all(texts, alpha2.MatchString)
	switch {
	case p.formatOf(texts, datetimeFormats, KindDateTime):
	case p.formatOf(texts, dateFormats, KindDate):
	case all(texts, intRe.MatchString) && !leadingZeros(texts):
		p.Kind = KindInt
	case !leadingZeros(texts) && p.number(texts):
	case p.Boolish:
		p.Kind = KindBool
	case all(texts, emailRe.MatchString):
		p.Kind = KindEmail
	case all(texts, isPhone):
		p.Kind = KindPhone
	default:
		p.Kind = KindText
	}
}

func (p *Profile) formatOf(texts []string, formats []string, k Kind) bool {
	var found []string
	for _, f := range formats {
		if all(texts, func(s string) bool { return parses(s, f, k) }) {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		return false
	}
	p.Kind, p.Format = k, found[0]
	for _, f := range found[1:] {
		if !sameShape(found[0], f) {
			p.Ambig = f
			break
		}
	}
	return true
}

// sameShape says whether two formats differ only in zero padding (D/M/YYYY
// reads what DD/MM/YYYY reads): not an ambiguity worth a comment.
func sameShape(a, b string) bool {
	squash := strings.NewReplacer("DD", "D", "MM", "M")
	return squash.Replace(a) == squash.Replace(b)
}

func parses(s, format string, k Kind) bool {
	var err error
	if k == KindDateTime {
		_, err = mapping.ParseDatetime(s, []string{format}, "")
	} else {
		_, err = mapping.ParseDate(s, []string{format})
	}
	return err == nil
}

// number reads decimal numbers and their locale from the separators.
func (p *Profile) number(texts []string) bool {
	de, en := all(texts, deNumRe.MatchString), all(texts, enNumRe.MatchString)
	switch {
	case de && !en:
		p.Kind, p.Locale = KindNumber, "de"
	case en && !de:
		p.Kind, p.Locale = KindNumber, "en"
	case de && en: // "1,234" and "1.234" both: no decimal part tells
		p.Kind = KindNumber
		if some(texts, func(s string) bool { return strings.ContainsAny(s, ".,") }) {
			p.Locale, p.Ambig = "en", "de"
		}
	default:
		return false
	}
	return true
}

func isPhone(s string) bool {
	return phoneRe.MatchString(s) && len(mapping.Digits(s)) >= 6
}

// leadingZeros says whether integers are codes ("00042"): they stay text.
func leadingZeros(texts []string) bool {
	return some(texts, zeroLed.MatchString)
}

func all(xs []string, f func(string) bool) bool {
	for _, x := range xs {
		if !f(x) {
			return false
		}
	}
	return len(xs) > 0
}

func some(xs []string, f func(string) bool) bool {
	for _, x := range xs {
		if f(x) {
			return true
		}
	}
	return false
}

// Describe says what the profile saw, for a comment.
func (p Profile) Describe() string {
	switch {
	case p.Kind == KindEmpty:
		return fmt.Sprintf("empty in all %d sampled rows", p.Values)
	case p.Typed:
		return fmt.Sprintf("%s column", p.Kind)
	case p.Format != "":
		return fmt.Sprintf("%s, format %s", p.Kind, p.Format)
	case p.Locale != "":
		return fmt.Sprintf("numbers, locale %s", p.Locale)
	}
	return string(p.Kind)
}
