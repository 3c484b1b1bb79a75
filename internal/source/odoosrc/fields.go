package odoosrc

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
)

// field is one field of the model read, as fields_get describes it.
type field struct {
	name     string
	typ      string // Odoo's field type: char, many2one…
	relation string // the comodel of a relational field
	col      record.Type
}

// columnTypes maps Odoo field types to column types; a type not listed is
// passed on as JSON text (TypeUnknown).
var columnTypes = map[string]record.Type{
	"boolean": record.TypeBool, "integer": record.TypeInt, "many2one_reference": record.TypeInt,
	"float": record.TypeFloat, "monetary": record.TypeFloat,
	"date": record.TypeDate, "datetime": record.TypeDateTime,
	"char": record.TypeString, "text": record.TypeString, "html": record.TypeString,
	"selection": record.TypeString, "reference": record.TypeString, "many2one": record.TypeString,
	"many2many": TypeList, "one2many": TypeList, "binary": record.TypeBytes,
	"json": record.TypeString, "properties": record.TypeString, "properties_definition": record.TypeString,
}

func newField(name string, d map[string]any) field {
	f := field{name: name}
	f.typ, _ = d["type"].(string)
	f.relation, _ = d["relation"].(string)
	var ok bool
	if f.col, ok = columnTypes[f.typ]; !ok {
		f.col = record.TypeUnknown
	}
	return f
}

// pick chooses the fields to read: those named (checked against
// fields_get), or every stored field but one2many and binary ones, by
// name. id and xmlid are the source's own columns.
func pick(desc map[string]map[string]any, names []string, version string) ([]field, error) {
	if _, clash := desc[XMLIDColumn]; clash {
		return nil, fmt.Errorf("the model has a field named %s, the column the source gives the external ID", XMLIDColumn)
	}
	if len(names) == 0 {
		var out []field
		for name, d := range desc {
			f := newField(name, d)
			if stored, _ := d["store"].(bool); stored && name != IDColumn && f.typ != "one2many" && f.typ != "binary" {
				out = append(out, f)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
		return out, nil
	}
	var out []field
	var unknown []string
	seen := map[string]bool{}
	for _, name := range names {
		switch d, ok := desc[name]; {
		case name == IDColumn || name == XMLIDColumn:
		case seen[name]:
			return nil, fmt.Errorf("fields: names %s twice", name)
		case !ok:
			unknown = append(unknown, name+similar(desc, name))
		default:
			out = append(out, newField(name, d))
		}
		seen[name] = true
	}
	if len(unknown) > 0 {
		it := "it"
		if len(unknown) > 1 {
			it = "them"
		}
		return nil, fmt.Errorf("fields: in Odoo %s the model has no field %s: fields_get does not list %s (renamed or removed in this version, or hidden from this user by its groups)",
			version, strings.Join(unknown, ", "), it)
	}
	return out, nil
}

// similar suggests up to three fields whose names contain, or are
// contained in, name (detailed_type → type), or share its first word.
func similar(desc map[string]map[string]any, name string) string {
	var out []string
	first, _, _ := strings.Cut(name, "_")
	for n := range desc {
		if n != IDColumn && (strings.Contains(n, name) || strings.Contains(name, n) && len(n) > 2 || strings.HasPrefix(n, first+"_")) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return ""
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) < len(out[j]) || len(out[i]) == len(out[j]) && out[i] < out[j] })
	if len(out) > 3 {
		out = out[:3]
	}
	return " (similar: " + strings.Join(out, ", ") + ")"
}

func schemaOf(fields []field) record.Schema {
	cols := []record.Column{{Name: IDColumn, Type: record.TypeInt}, {Name: XMLIDColumn, Type: record.TypeString}}
	for _, f := range fields {
		cols = append(cols, record.Column{Name: f.name, Type: f.col})
	}
	return record.Schema{Columns: cols}
}

// normalizeDomain checks the shape of a domain from a plan (a list of
// [field, operator, value] conditions and "&", "|", "!") and turns the
// YAML decoder's number types into int64 and float64.
func normalizeDomain(d []any) (odoo.Domain, error) {
	out := make(odoo.Domain, 0, len(d))
	for i, term := range d {
		switch t := term.(type) {
		case string:
			if t != "&" && t != "|" && t != "!" {
				return nil, fmt.Errorf("item %d: %q is not an operator (&, |, !) nor a condition [field, operator, value]", i+1, t)
			}
			out = append(out, t)
		case []any:
			if len(t) != 3 {
				return nil, fmt.Errorf("item %d: a condition is [field, operator, value], got %d elements", i+1, len(t))
			}
			if _, ok := t[0].(string); !ok {
				return nil, fmt.Errorf("item %d: the field of a condition is a name, got %v", i+1, t[0])
			}
			if _, ok := t[1].(string); !ok {
				return nil, fmt.Errorf("item %d: the operator of a condition is a string, got %v", i+1, t[1])
			}
			out = append(out, []any{t[0], t[1], plain(t[2])})
		default:
			return nil, fmt.Errorf("item %d: %v is not an operator nor a condition [field, operator, value]", i+1, term)
		}
	}
	return out, nil
}

// plain converts decoded YAML values to the JSON-like values the client
// sends.
func plain(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
		return float64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case nil:
		return false
	}
	return v
}
