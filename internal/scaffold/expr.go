package scaffold

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/validate"
)

var ident = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// exprWords cannot follow "row." in the expression language.
var exprWords = map[string]bool{"in": true, "not": true, "and": true, "or": true, "matches": true, "contains": true,
	"startsWith": true, "endsWith": true, "nil": true, "true": true, "false": true, "let": true, "if": true, "else": true}

// rowRef is the expression reading column c.
func rowRef(c string) string {
	if ident.MatchString(c) && !exprWords[c] {
		return "row." + c
	}
	return "row[" + strconv.Quote(c) + "]"
}

// lookupFields are the fields lookup() finds related records by; a model
// not listed is looked up by name.
var lookupFields = map[string]string{"res.country": "code", "res.country.state": "code", "res.currency": "name",
	"res.partner": "ref", "res.users": "login", "product.product": "default_code", "product.template": "default_code",
	"account.account": "code", "account.journal": "code", "res.lang": "code"}

// upperLookups are related models whose lookup field holds upper-case codes.
var upperLookups = map[string]bool{"res.country": true, "res.currency": true}

// Expr is the expression that maps the profiled column to f, and the
// comments that explain its guesses.
func Expr(p Profile, f validate.Field) (string, []string) {
	r := rowRef(p.Name)
	var notes []string
	switch f.Type {
	case "char", "text", "html":
		return textExpr(p, f, r), nil
	case "integer":
		if p.Typed {
			return r, nil
		}
		return call("parse_int", r, locale(p)), notes
	case "float", "monetary":
		if p.Typed {
			return r, nil
		}
		if p.Locale != "" {
			notes = append(notes, fmt.Sprintf("guessed number locale %s from %d values%s", p.Locale, p.NonEmpty, ambiguity(p)))
		}
		return call("parse_number", r, locale(p)), notes
	case "boolean":
		if p.Typed {
			return r, nil
		}
		return "bool(" + r + ")", nil
	case "date", "datetime":
		return dateExpr(p, f, r)
	case "many2one":
		return lookupExpr("lookup", f.Relation, p, "trim("+r+")")
	case "many2many":
		e, n := lookupExpr("lookups", f.Relation, p, "split("+r+", \",\")")
		return e, append(n, "comma-separated values")
	case "selection":
		return selectionExpr(p, f, r)
	}
	return r, nil
}

func textExpr(p Profile, f validate.Field, r string) string {
	switch {
	case p.Typed:
		return r
	case f.Name == "email" || p.Kind == KindEmail:
		return "lower(trim(" + r + "))"
	case f.Name == "vat":
		return "normalize_vat(" + r + ")"
	}
	return "trim(" + r + ")"
}

func dateExpr(p Profile, f validate.Field, r string) (string, []string) {
	fn := "parse_date"
	if f.Type == "datetime" {
		fn = "parse_datetime"
	}
	if p.Typed {
		return r, nil
	}
	if p.Format == "" {
		return fn + "(" + r + ")", []string{"no sampled value shows the format: the defaults are tried"}
	}
	note := fmt.Sprintf("guessed %s format %s from %d values%s", p.Kind, p.Format, p.NonEmpty, ambiguity(p))
	return call(fn, r, p.Format), []string{note}
}

func lookupExpr(fn, relation string, p Profile, value string) (string, []string) {
	field, ok := lookupFields[relation]
	if !ok {
		field = "name"
	}
	if upperLookups[relation] && fn == "lookup" {
		value = "upper(" + value + ")"
	}
	notes := []string{fmt.Sprintf("guessed: %s records found by %s", relation, field)}
	if p.Kind == KindInt && p.Typed {
		notes = append(notes, "the values are numbers: if they are ids of another entity of this plan, use ref()")
	}
	return fmt.Sprintf("%s(%s, %s, %s)", fn, strconv.Quote(relation), strconv.Quote(field), value), notes
}

func selectionExpr(p Profile, f validate.Field, r string) (string, []string) {
	m, ok := selectionMap(p, f)
	switch {
	case !ok:
		return "trim(" + r + ")", []string{fmt.Sprintf("TODO sampled values are not all among the selection's keys (%s): map them with map_value()",
			strings.Join(f.SelectionKeys(), ", "))}
	case identity(m):
		return "trim(" + r + ")", nil
	}
	from := make([]string, 0, len(m))
	for k := range m {
		from = append(from, k)
	}
	sort.Strings(from)
	pairs := make([]string, len(from))
	for i, k := range from {
		pairs[i] = strconv.Quote(k) + ": " + strconv.Quote(m[k])
	}
	return fmt.Sprintf("map_value(trim(%s), {%s})", r, strings.Join(pairs, ", ")),
		[]string{fmt.Sprintf("guessed from the selection's labels over %d distinct values", len(from))}
}

// selectionMap maps the sampled values that are not keys of the selection
// to the key whose label (or key) they equal ignoring case; ok is false
// when a value matches neither, or the sample had too many distinct values.
func selectionMap(p Profile, f validate.Field) (map[string]string, bool) {
	if len(p.Distinct) >= maxDistinct {
		return nil, false
	}
	keys, labels := map[string]bool{}, map[string]string{}
	for _, kv := range f.Selection {
		if len(kv) < 2 {
			continue
		}
		k := fmt.Sprint(kv[0])
		keys[k] = true
		labels[strings.ToLower(fmt.Sprint(kv[1]))] = k
		labels[strings.ToLower(k)] = k
	}
	m := map[string]string{}
	for _, v := range p.Distinct {
		if keys[v] {
			m[v] = v
			continue
		}
		k, ok := labels[strings.ToLower(v)]
		if !ok {
			return nil, false
		}
		m[v] = k
	}
	return m, true
}

func identity(m map[string]string) bool {
	for k, v := range m {
		if k != v {
			return false
		}
	}
	return true
}

func locale(p Profile) string { return p.Locale }

// call renders fn(arg, "extra") or fn(arg) when extra is empty.
func call(fn, arg, extra string) string {
	if extra == "" {
		return fn + "(" + arg + ")"
	}
	return fn + "(" + arg + ", " + strconv.Quote(extra) + ")"
}

func ambiguity(p Profile) string {
	if p.Ambig == "" {
		return ""
	}
	return fmt.Sprintf(" (TODO check: %s reads them too)", p.Ambig)
}
