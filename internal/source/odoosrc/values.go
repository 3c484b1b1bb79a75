package odoosrc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ferry-migrate/ferry/internal/record"
)

// value converts a value as read (JSON-RPC, JSON-2 or XML-RPC) to the
// column's type. Odoo's false is nil, except for booleans. A value that
// does not fit comes back as read, with a problem.
func (f field) value(v any, x xmlids) (any, string) {
	if v == nil || v == false && f.typ != "boolean" {
		return nil, ""
	}
	switch f.typ {
	case "many2one":
		if id, ok := refID(v); ok {
			return x.of(f.relation, id), ""
		}
	case "many2many", "one2many":
		if list, ok := v.([]any); ok {
			ids := make([]int64, 0, len(list))
			for _, e := range list {
				id, ok := asInt(e)
				if !ok {
					return v, "not a list of record ids"
				}
				ids = append(ids, id)
			}
			if f.typ == "many2many" {
				// Odoo lists links in the comodel's order (by name for tags):
				// by id, renaming a tag does not reorder its records' lists.
				slices.Sort(ids)
			}
			out := make([]any, len(ids))
			for i, id := range ids {
				out[i] = x.of(f.relation, id)
			}
			return out, ""
		}
	case "date", "datetime":
		return f.time(v)
	case "binary":
		if s, ok := v.(string); ok {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return v, "not base64"
			}
			return b, ""
		}
	}
	return f.scalar(v)
}

// scalar converts the values that are not relations, times or binaries.
func (f field) scalar(v any) (any, string) {
	switch f.col {
	case record.TypeBool:
		if b, ok := v.(bool); ok {
			return b, ""
		}
	case record.TypeInt:
		if n, ok := asInt(v); ok {
			return n, ""
		}
	case record.TypeFloat:
		switch n := v.(type) {
		case float64:
			return n, ""
		case int64:
			return float64(n), ""
		case int:
			return float64(n), ""
		}
	case record.TypeString:
		if s, ok := v.(string); ok {
			return s, ""
		}
		if f.typ == "json" || f.typ == "properties" || f.typ == "properties_definition" {
			return jsonText(v)
		}
	default:
		return jsonText(v)
	}
	return v, fmt.Sprintf("%T is not a %s value", v, f.typ)
}

// time reads "2006-01-02" (date) and "2006-01-02 15:04:05" (datetime,
// UTC); Odoo never sends an offset.
func (f field) time(v any) (any, string) {
	s, ok := v.(string)
	if !ok {
		return v, fmt.Sprintf("%T is not a %s value", v, f.typ)
	}
	layout := "2006-01-02"
	if f.typ == "datetime" {
		layout = "2006-01-02 15:04:05"
	}
	t, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		return v, fmt.Sprintf("%q is not a %s", s, f.typ)
	}
	return t, ""
}

func jsonText(v any) (any, string) {
	b, err := json.Marshal(v)
	if err != nil {
		return v, "cannot be written as JSON"
	}
	return string(b), ""
}

// refID reads a many2one value: an id (read with load="") or
// [id, display name] (servers that ignore load).
func refID(v any) (int64, bool) {
	if p, ok := v.([]any); ok && len(p) == 2 {
		v = p[0]
	}
	return asInt(v)
}

// refs lists the ids a relational value of f refers to.
func (f field) refs(v any) []int64 {
	if f.typ == "many2one" {
		if id, ok := refID(v); ok {
			return []int64{id}
		}
		return nil
	}
	list, _ := v.([]any)
	out := make([]int64, 0, len(list))
	for _, e := range list {
		if id, ok := asInt(e); ok {
			out = append(out, id)
		}
	}
	return out
}

// asInt reads an integer: int64 (JSON), int (XML-RPC) or a whole float
// (Odoo sends integers beyond 2^31-1 as floats over XML-RPC).
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<63 {
			return int64(n), true
		}
	}
	return 0, false
}
