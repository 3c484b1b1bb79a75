package record

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Written is the compact, typed form of what Ferry wrote for one row: the
// values of the fields it sent and the external IDs of its lines, so that
// a later run can tell whether someone changed the record in Odoo since.
type Written struct {
	Values map[string]any      // nil, string, int64, float64, bool, Ref or []Ref
	Lines  map[string][]string // one2many field → line external IDs
}

// Written keeps of r the fields in sent (all of them when sent is nil).
func (r Row) Written(sent map[string]bool) Written {
	w := Written{Values: map[string]any{}}
	for k, v := range r.Values {
		if sent == nil || sent[k] {
			w.Values[k] = v
		}
	}
	for k, lines := range r.Lines {
		if sent != nil && !sent[k] {
			continue
		}
		if w.Lines == nil {
			w.Lines = map[string][]string{}
		}
		for _, l := range lines {
			w.Lines[k] = append(w.Lines[k], l.ExternalID)
		}
	}
	return w
}

// Row turns w back into a row of model (for comparing with the target).
func (w Written) Row(entity, model, xmlid string) Row {
	r := Row{Entity: entity, Model: model, ExternalID: xmlid, Values: w.Values}
	for k, ids := range w.Lines {
		if r.Lines == nil {
			r.Lines = map[string][]Row{}
		}
		for _, id := range ids {
			r.Lines[k] = append(r.Lines[k], Row{ExternalID: id})
		}
	}
	return r
}

// typed is one value with its type: JSON alone cannot tell an int64 from
// a float64, nor a Ref from a map.
type typed struct {
	T string `json:"t"`
	V any    `json:"v,omitempty"`
}

type writtenJSON struct {
	Values map[string]typed    `json:"v"`
	Lines  map[string][]string `json:"l,omitempty"`
}

// Marshal encodes w as JSON with each value's type.
func (w Written) Marshal() (string, error) {
	out := writtenJSON{Values: make(map[string]typed, len(w.Values)), Lines: w.Lines}
	for k, v := range w.Values {
		t, err := tag(v)
		if err != nil {
			return "", fmt.Errorf("record: field %s: %w", k, err)
		}
		out.Values[k] = t
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func tag(v any) (typed, error) {
	switch x := v.(type) {
	case nil:
		return typed{T: "n"}, nil
	case string:
		return typed{T: "s", V: x}, nil
	case int64:
		return typed{T: "i", V: x}, nil
	case int:
		return typed{T: "i", V: int64(x)}, nil
	case float64:
		return typed{T: "f", V: x}, nil
	case bool:
		return typed{T: "b", V: x}, nil
	case Ref:
		return typed{T: "r", V: x}, nil
	case []Ref:
		return typed{T: "rs", V: x}, nil
	case *File:
		return typed{T: "file", V: x}, nil
	case IDRef:
		return typed{T: "idref", V: x}, nil
	}
	return typed{}, fmt.Errorf("value of type %T", v)
}

// ParseWritten decodes what Marshal wrote.
func ParseWritten(s string) (Written, error) {
	var in struct {
		Values map[string]json.RawMessage `json:"v"`
		Lines  map[string][]string        `json:"l"`
	}
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return Written{}, fmt.Errorf("record: written values: %w", err)
	}
	w := Written{Values: make(map[string]any, len(in.Values)), Lines: in.Lines}
	keys := make([]string, 0, len(in.Values))
	for k := range in.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := untag(in.Values[k])
		if err != nil {
			return Written{}, fmt.Errorf("record: written value of %s: %w", k, err)
		}
		w.Values[k] = v
	}
	return w, nil
}

func untag(raw json.RawMessage) (any, error) {
	var head struct {
		T string          `json:"t"`
		V json.RawMessage `json:"v"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, err
	}
	var err error
	switch head.T {
	case "n":
		return nil, nil
	case "s":
		var s string
		err = json.Unmarshal(head.V, &s)
		return s, err
	case "i":
		var i int64
		err = json.Unmarshal(head.V, &i)
		return i, err
	case "f":
		var f float64
		err = json.Unmarshal(head.V, &f)
		return f, err
	case "b":
		var b bool
		err = json.Unmarshal(head.V, &b)
		return b, err
	case "r":
		var r Ref
		err = json.Unmarshal(head.V, &r)
		return r, err
	case "rs":
		var rs []Ref
		err = json.Unmarshal(head.V, &rs)
		return rs, err
	case "file":
		var f File
		err = json.Unmarshal(head.V, &f)
		return &f, err
	case "idref":
		var r IDRef
		err = json.Unmarshal(head.V, &r)
		return r, err
	}
	return nil, fmt.Errorf("unknown type tag %q", head.T)
}
