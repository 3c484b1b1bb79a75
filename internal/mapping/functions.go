package mapping

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// KeyInfo says how an entity's keys are encoded (for ref()).
type KeyInfo struct {
	Personal bool
}

// Library holds the state the functions share: the plan's directory (for
// value-map files), the ID builder and the entities' key settings.
type Library struct {
	Dir      string
	IDs      *IDs
	Entities map[string]KeyInfo

	mu      sync.Mutex
	regexps map[string]*regexp.Regexp
	files   map[string]map[string]string
}

// NewLibrary returns the function library for one plan.
func NewLibrary(dir string, ids *IDs, entities map[string]KeyInfo) *Library {
	return &Library{Dir: dir, IDs: ids, Entities: entities,
		regexps: map[string]*regexp.Regexp{}, files: map[string]map[string]string{}}
}

// Names lists the functions of the library (for documentation and tests).
func (l *Library) Names() []string {
	out := make([]string, 0, len(l.funcs()))
	for _, f := range l.funcs() {
		out = append(out, f.name)
	}
	return out
}

type function struct {
	name string
	fn   func(args ...any) (any, error)
}

func (l *Library) funcs() []function {
	return append([]function{
		{"trim", text1(strings.TrimSpace)},
		{"lower", text1(strings.ToLower)},
		{"upper", text1(strings.ToUpper)},
		{"title", text1(titleCase)},
		{"split", l.split},
		{"join", join},
		{"concat", concat},
		{"regex_replace", l.regexReplace},
		{"parse_date", parseDateFn},
		{"parse_datetime", parseDatetimeFn},
		{"parse_number", parseNumberFn},
		{"parse_int", parseIntFn},
		{"round", roundFn},
		{"round_currency", roundCurrencyFn},
		{"bool", func(a ...any) (any, error) { return ParseBool(arg(a, 0)) }},
		{"map_value", mapValue},
		{"map_file", l.mapFile},
		{"default", defaultFn},
		{"coalesce", coalesce},
		{"digits", text1(Digits)},
		{"normalize_email", text1(NormalizeEmail)},
		{"normalize_vat", text1(NormalizeVAT)},
		{"ref", l.ref},
		{"refs", l.refs},
		{"lookup", lookup},
		{"lookups", lookups},
	}, fileFuncs()...)
}

func arg(a []any, i int) any {
	if i < len(a) {
		return a[i]
	}
	return nil
}

// text1 lifts a string function; nil stays nil. A text the function
// leaves as it is comes back as the argument itself, which spares boxing
// the same string again (trim of a clean value, lower of a lower-case one).
func text1(f func(string) string) func(...any) (any, error) {
	return func(a ...any) (any, error) {
		if len(a) != 1 {
			return nil, fmt.Errorf("want 1 argument, got %d", len(a))
		}
		if a[0] == nil {
			return nil, nil
		}
		s := str(a[0])
		out := f(s)
		if _, isText := a[0].(string); isText && out == s {
			return a[0], nil
		}
		return out, nil
	}
}

func titleCase(s string) string {
	if t, ok := titleASCII(s); ok {
		return t
	}
	return title(strings.ToLower(s))
}

// Digits keeps only the digits of s (phone numbers). A digit is one byte
// in UTF-8 and no byte of a longer rune is one, so s is read byte by byte;
// a value that is all digits comes back as itself.
func Digits(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	if n == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// NormalizeEmail lowercases and removes every space.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// NormalizeVAT uppercases and keeps letters and digits. A value already
// made of A–Z and 0–9 only comes back as itself.
func NormalizeVAT(s string) string {
	if vatClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToUpper(s) {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (l *Library) split(a ...any) (any, error) {
	s, sep := str(arg(a, 0)), str(arg(a, 1))
	if sep == "" {
		sep = ","
	}
	if strings.TrimSpace(s) == "" {
		return []any{}, nil
	}
	parts := strings.Split(s, sep)
	out := make([]any, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

func join(a ...any) (any, error) {
	list, ok := arg(a, 0).([]any)
	if !ok && arg(a, 0) != nil {
		return nil, fmt.Errorf("join: want a list")
	}
	sep := str(arg(a, 1))
	parts := make([]string, 0, len(list))
	for _, v := range list {
		if !Empty(v) {
			parts = append(parts, str(v))
		}
	}
	return strings.Join(parts, sep), nil
}

func concat(a ...any) (any, error) {
	var b strings.Builder
	for _, v := range a {
		b.WriteString(str(v))
	}
	return b.String(), nil
}

func (l *Library) regexReplace(a ...any) (any, error) {
	if arg(a, 0) == nil {
		return nil, nil
	}
	pat := str(arg(a, 1))
	l.mu.Lock()
	re, ok := l.regexps[pat]
	if !ok {
		var err error
		if re, err = regexp.Compile(pat); err != nil {
			l.mu.Unlock()
			return nil, fmt.Errorf("regex_replace: %w", err)
		}
		l.regexps[pat] = re
	}
	l.mu.Unlock()
	return re.ReplaceAllString(str(a[0]), str(arg(a, 2))), nil
}

// formats reads a format argument: a string or a list of strings.
func formats(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(x))
		for _, f := range x {
			out = append(out, str(f))
		}
		return out
	}
	return []string{str(v)}
}

func parseDateFn(a ...any) (any, error) {
	if Empty(arg(a, 0)) {
		return nil, nil
	}
	if f, ok := arg(a, 1).(string); ok {
		return ParseDate(str(a[0]), []string{f}) // formats(f), without allocating the list
	}
	return ParseDate(str(a[0]), formats(arg(a, 1)))
}

func parseDatetimeFn(a ...any) (any, error) {
	if Empty(arg(a, 0)) {
		return nil, nil
	}
	return ParseDatetime(str(a[0]), formats(arg(a, 1)), str(arg(a, 2)))
}

func parseNumberFn(a ...any) (any, error) {
	switch x := arg(a, 0).(type) {
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case float64:
		return x, nil
	}
	if Empty(arg(a, 0)) {
		return nil, nil
	}
	return ParseNumber(str(a[0]), str(arg(a, 1)))
}

func parseIntFn(a ...any) (any, error) {
	f, err := parseNumberFn(a...)
	if f == nil || err != nil {
		return f, err
	}
	v := f.(float64)
	if v != float64(int64(v)) {
		return nil, findingf("MAP214", "%q is not a whole number", str(a[0]))
	}
	return int64(v), nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func roundFn(a ...any) (any, error) {
	f, ok := toFloat(arg(a, 0))
	if !ok {
		if arg(a, 0) == nil {
			return nil, nil
		}
		return nil, findingf("MAP214", "round: %q is not a number", str(arg(a, 0)))
	}
	d, _ := toFloat(arg(a, 1))
	return Round(f, int(d)), nil
}

func roundCurrencyFn(a ...any) (any, error) {
	f, ok := toFloat(arg(a, 0))
	if !ok {
		if arg(a, 0) == nil {
			return nil, nil
		}
		return nil, findingf("MAP214", "round_currency: %q is not a number", str(arg(a, 0)))
	}
	return Round(f, CurrencyDigits(str(arg(a, 1)))), nil
}

func mapValue(a ...any) (any, error) {
	m, ok := arg(a, 1).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("map_value: want a map as second argument")
	}
	v := arg(a, 0)
	if Empty(v) {
		return nil, nil
	}
	if out, ok := m[str(v)]; ok {
		return out, nil
	}
	if len(a) > 2 {
		return a[2], nil
	}
	return nil, findingf("MAP216", "no mapping for %q", str(v))
}

func (l *Library) mapFile(a ...any) (any, error) {
	name, v := str(arg(a, 0)), arg(a, 1)
	m, err := l.valueFile(name)
	if err != nil {
		return nil, err
	}
	if Empty(v) {
		return nil, nil
	}
	if out, ok := m[str(v)]; ok {
		return out, nil
	}
	if len(a) > 2 {
		return a[2], nil
	}
	return nil, findingf("MAP216", "no mapping for %q in %s", str(v), name)
}

// valueFile loads a two-column CSV (from, to; header row) once.
func (l *Library) valueFile(name string) (map[string]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m, ok := l.files[name]; ok {
		return m, nil
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(l.Dir, name)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("map_file %s: %w", name, errors.Unwrap(err))
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("map_file %s: %w", name, err)
	}
	m := make(map[string]string, len(recs))
	for i, r := range recs {
		if i == 0 || len(r) < 2 {
			continue
		}
		m[r[0]] = r[1]
	}
	l.files[name] = m
	return m, nil
}

func defaultFn(a ...any) (any, error) {
	if !Empty(arg(a, 0)) {
		return a[0], nil
	}
	return arg(a, 1), nil
}

func coalesce(a ...any) (any, error) {
	for _, v := range a {
		if !Empty(v) {
			return v, nil
		}
	}
	return nil, nil
}

// keyParts renders ref()'s key arguments.
func keyParts(a []any) ([]string, bool) {
	parts := make([]string, 0, len(a))
	for _, v := range a {
		if Empty(v) {
			return nil, false
		}
		parts = append(parts, strings.TrimSpace(str(v)))
	}
	return parts, len(parts) > 0
}

func (l *Library) ref(a ...any) (any, error) {
	entity := str(arg(a, 0))
	info, ok := l.Entities[entity]
	if !ok {
		return nil, findingf("MAP206", "ref: the plan has no entity %q", entity)
	}
	parts, ok := keyParts(a[1:])
	if !ok {
		return nil, nil
	}
	return l.refValue(entity, parts, info), nil
}

func (l *Library) refValue(entity string, parts []string, info KeyInfo) RefValue {
	enc, _ := l.IDs.EncodeKey(parts, info.Personal)
	return RefValue{Entity: entity, Key: strings.Join(parts, "\x1f"), ExternalID: l.IDs.ExternalID(entity, enc)}
}

func (l *Library) refs(a ...any) (any, error) {
	entity := str(arg(a, 0))
	info, ok := l.Entities[entity]
	if !ok {
		return nil, findingf("MAP206", "refs: the plan has no entity %q", entity)
	}
	out := []any{}
	for _, v := range list(arg(a, 1)) {
		if !Empty(v) {
			out = append(out, l.refValue(entity, []string{strings.TrimSpace(str(v))}, info))
		}
	}
	return out, nil
}

func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	case string:
		var out []any
		for _, p := range strings.Split(x, ",") {
			out = append(out, strings.TrimSpace(p))
		}
		return out
	}
	return []any{v}
}

func lookup(a ...any) (any, error) {
	if len(a) != 3 {
		return nil, fmt.Errorf("lookup: want (model, field, value)")
	}
	if Empty(a[2]) {
		return nil, nil
	}
	return LookupValue{Model: str(a[0]), Field: str(a[1]), Value: strings.TrimSpace(str(a[2]))}, nil
}

func lookups(a ...any) (any, error) {
	if len(a) != 3 {
		return nil, fmt.Errorf("lookups: want (model, field, values)")
	}
	out := []any{}
	for _, v := range list(a[2]) {
		if !Empty(v) {
			out = append(out, LookupValue{Model: str(a[0]), Field: str(a[1]), Value: strings.TrimSpace(str(v))})
		}
	}
	return out, nil
}

// Ref returns the reference ref(entity, parts...) would return.
func (l *Library) Ref(entity string, parts []string) RefValue {
	return l.refValue(entity, parts, l.Entities[entity])
}
