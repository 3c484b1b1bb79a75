package sqldb

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ferry-migrate/ferry/internal/record"
)

// encodeCursor renders a primary key as a JSON array: numbers, strings,
// booleans, times in RFC 3339 and bytes as {"b64": base64}.
func encodeCursor(key []any) string {
	out := make([]any, len(key))
	for i, v := range key {
		switch x := v.(type) {
		case time.Time:
			v = x.Format(time.RFC3339Nano)
		case []byte:
			v = map[string][]byte{"b64": x}
		}
		out[i] = v
	}
	b, _ := json.Marshal(out) // only JSON-safe types above
	return string(b)
}

// decodeCursor parses a cursor back into query arguments of the key
// columns' types, so that the comparison is exact (no float for a large
// integer, a time for a timestamp).
func (s *Source) decodeCursor(cur string) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(cur)))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil || len(raw) != len(s.keys) {
		return nil, fmt.Errorf("cannot resume from %q: it is not a key of %d columns (%v)", cur, len(s.keys), s.keys)
	}
	out := make([]any, len(raw))
	for i, v := range raw {
		arg, err := keyArg(v, s.keyTypes[i])
		if err != nil {
			return nil, fmt.Errorf("cannot resume from %q: column %s: %w", cur, s.keys[i], err)
		}
		out[i] = arg
	}
	return out, nil
}

func keyArg(v any, t record.Type) (any, error) {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil && t != record.TypeFloat && t != record.TypeDecimal {
			return i, nil
		}
		if t == record.TypeDecimal {
			return n.String(), nil
		}
		return n.Float64()
	}
	if m, ok := v.(map[string]any); ok {
		if b, ok := m["b64"].(string); ok && len(m) == 1 {
			return base64.StdEncoding.DecodeString(b)
		}
		return nil, fmt.Errorf("%v is not a key value", m)
	}
	if str, ok := v.(string); ok && (t == record.TypeDate || t == record.TypeDateTime) {
		return time.Parse(time.RFC3339Nano, str)
	}
	return v, nil
}
