package record

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Position says where a record came from. Source is the plan's source name;
// File is set for file sources; Line is the 1-based physical line (CSV) and
// Row the 1-based data row (header excluded); Cursor is an opaque resume
// point a source understands (a keyset value for SQL sources).
type Position struct {
	Source string `json:"source,omitempty"`
	File   string `json:"file,omitempty"`
	Sheet  string `json:"sheet,omitempty"`
	Line   int64  `json:"line,omitempty"`
	Row    int64  `json:"row,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// IsZero reports whether p is the start of a source.
func (p Position) IsZero() bool { return p == Position{} }

// String renders p the way findings print it: "file.csv:12" or "legacy row 7".
func (p Position) String() string {
	var b strings.Builder
	switch {
	case p.File != "":
		b.WriteString(p.File)
	case p.Source != "":
		b.WriteString(p.Source)
	}
	if p.Sheet != "" {
		b.WriteString("[" + p.Sheet + "]")
	}
	if p.Line > 0 {
		b.WriteString(":" + strconv.FormatInt(p.Line, 10))
	} else if p.Row > 0 {
		b.WriteString(" row " + strconv.FormatInt(p.Row, 10))
	}
	return b.String()
}

// Column describes one source column.
type Column struct {
	Name string `json:"name"`
	Type Type   `json:"type"`
}

// Schema lists a source's columns in order.
type Schema struct {
	Columns []Column `json:"columns"`
}

// Names returns the column names in order.
func (s Schema) Names() []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.Name
	}
	return out
}

// Type is a source column's type as far as the source knows it.
type Type string

// Column types. Text sources (CSV) report TypeString for every column.
const (
	TypeString   Type = "string"
	TypeInt      Type = "int"
	TypeFloat    Type = "float"
	TypeDecimal  Type = "decimal"
	TypeBool     Type = "bool"
	TypeDate     Type = "date"
	TypeDateTime Type = "datetime"
	TypeBytes    Type = "bytes"
	TypeUnknown  Type = "unknown"
)

// Record is one source row. Values maps column name to value; Columns keeps
// the source order. A value is nil (SQL NULL or a missing cell), string,
// int64, float64, bool, time.Time, []byte, or a decimal as string.
// Problem is set by a source for a row it could delimit but not read
// cleanly (ragged, undecodable); the pipeline quarantines such a row.
type Record struct {
	Columns []string
	Values  map[string]any
	Pos     Position
	Problem string
}

// New builds a record from parallel slices of names and values.
func New(pos Position, names []string, values []any) *Record {
	m := make(map[string]any, len(names))
	for i, n := range names {
		if i < len(values) {
			m[n] = values[i]
		} else {
			m[n] = nil
		}
	}
	return &Record{Columns: names, Values: m, Pos: pos}
}

// Get returns the value of column name and whether the column exists.
func (r *Record) Get(name string) (any, bool) {
	v, ok := r.Values[name]
	return v, ok
}

// Text renders a value as text the way a CSV export would show it; times
// as Odoo writes them (UTC "2006-01-02" for a date at midnight, else
// "2006-01-02 15:04:05").
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time: // as Odoo writes dates and datetimes: UTC, no zone suffix
		x = x.UTC()
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	default:
		return fmt.Sprint(x)
	}
}
