package load

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/record"
)

// Encoded is one record as load cells: Rows[0] holds the record's values
// and its first lines, each further row one more line per one2many field
// (Odoo's "record span": only one2many cells are filled there).
type Encoded struct {
	Columns []string
	Rows    [][]string
}

// Signature identifies the column set; rows of one load call share it.
func (e *Encoded) Signature() string { return strings.Join(e.Columns, "\x1f") }

// Encoder turns the rows of one entity pass into load cells. It remembers
// each field's reference form ("/id" or "/.id"), so that an empty value
// goes in the same column as the filled values of the field and rows keep
// one column set. An Encoder is not safe for concurrent use.
type Encoder struct {
	keep  map[string]bool
	forms map[string]string
}

// NewEncoder returns an encoder; keepWhenEmpty lists the fields whose
// empty values are not sent (the target keeps its value).
func NewEncoder(keepWhenEmpty []string) *Encoder {
	e := &Encoder{keep: map[string]bool{}, forms: map[string]string{}}
	for _, f := range keepWhenEmpty {
		e.keep[f] = true
	}
	return e
}

// MixedRefsError says a many2many value mixes external IDs and ids.
type MixedRefsError struct{ Field string }

func (e *MixedRefsError) Error() string {
	return fmt.Sprintf("%s mixes external IDs and database ids; Odoo takes one kind per column", e.Field)
}

// Encode converts r: "id" = r.ExternalID; scalars as text (booleans "1"
// and "0", floats in the shortest exact form); record.Ref as
// "<field>/id" or "<field>/.id"; []record.Ref comma-joined; one2many lines
// under "<field>/id" and "<field>/<sub field>".
func (e *Encoder) Encode(r *record.Row) (*Encoded, error) {
	if err := e.learn("", r.Values); err != nil {
		return nil, err
	}
	for f, lines := range r.Lines {
		for _, l := range lines {
			if err := e.learn(f+"/", l.Values); err != nil {
				return nil, err
			}
		}
	}
	n := 1
	for _, lines := range r.Lines {
		n = max(n, len(lines))
	}
	cells := map[string][]string{}
	set := func(col string, i int, s string) {
		c, ok := cells[col]
		if !ok {
			c = make([]string, n)
			cells[col] = c
		}
		c[i] = s
	}
	set("id", 0, r.ExternalID)
	for f, v := range r.Values {
		if v == nil && e.keep[f] {
			continue
		}
		col, s := e.cell(f, v)
		set(col, 0, s)
	}
	for f, lines := range r.Lines {
		for i, l := range lines {
			set(f+"/id", i, l.ExternalID)
			for sub, v := range l.Values {
				col, s := e.cell(f+"/"+sub, v)
				set(col, i, s)
			}
		}
	}
	return assemble(cells, n), nil
}

func assemble(cells map[string][]string, n int) *Encoded {
	cols := make([]string, 0, len(cells))
	for c := range cells {
		if c != "id" {
			cols = append(cols, c)
		}
	}
	sort.Strings(cols)
	cols = append([]string{"id"}, cols...)
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = make([]string, len(cols))
		for j, c := range cols {
			rows[i][j] = cells[c][i]
		}
	}
	return &Encoded{Columns: cols, Rows: rows}
}

// learn records the reference form of every reference value.
func (e *Encoder) learn(prefix string, values map[string]any) error {
	for f, v := range values {
		path := prefix + f
		switch x := v.(type) {
		case record.Ref:
			e.forms[path] = refForm(x)
		case []record.Ref:
			form, err := listForm(path, x)
			if err != nil {
				return err
			}
			if form != "" {
				e.forms[path] = form
			}
		}
	}
	return nil
}

func refForm(r record.Ref) string {
	if r.ExternalID != "" {
		return "/id"
	}
	return "/.id"
}

func listForm(path string, refs []record.Ref) (string, error) {
	form := ""
	for _, r := range refs {
		f := refForm(r)
		if form != "" && f != form {
			return "", &MixedRefsError{Field: path}
		}
		form = f
	}
	return form, nil
}

// cell returns the column and the text of one value.
func (e *Encoder) cell(path string, v any) (string, string) {
	if col, s, ok := deferredCell(path, v); ok { // filled when the batch is sent (attachments.go)
		return col, s
	}
	switch x := v.(type) {
	case nil:
		return path + e.forms[path], ""
	case record.Ref:
		if x.ExternalID != "" {
			return path + "/id", x.ExternalID
		}
		return path + "/.id", strconv.FormatInt(x.ID, 10)
	case []record.Ref:
		parts := make([]string, len(x))
		for i, r := range x {
			parts[i] = r.ExternalID
			if r.ExternalID == "" {
				parts[i] = strconv.FormatInt(r.ID, 10)
			}
		}
		return path + e.forms[path], strings.Join(parts, ",")
	}
	return path, Text(v)
}

// Text renders a scalar the way load's converters read it.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
