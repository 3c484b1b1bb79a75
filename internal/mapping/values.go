package mapping

import (
	"fmt"
	"github.com/ferry-migrate/ferry/internal/record"
	"strings"
	"time"
)

// RefValue is what ref() returns: a record of another plan entity, by key.
type RefValue struct {
	Entity     string
	Key        string // raw key, parts joined by "\x1f"
	ExternalID string
}

// LookupValue is what lookup() returns: a record to find in the target by
// one field's value. The pipeline resolves it to a database id.
type LookupValue struct {
	Model, Field, Value string
}

// Finding is an error a function returns for a bad value; the pipeline
// turns it into a diagnostic with Code.
type Finding struct {
	Code string
	Msg  string
}

func (f *Finding) Error() string { return f.Msg }

func findingf(code, format string, args ...any) error {
	return &Finding{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Empty reports whether v is nil, an empty or blank string.
func Empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}

// str renders v as text ("" for nil).
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		return trimFloat(x)
	case time.Time:
		return record.Text(x) // as Odoo writes it: UTC, no zone suffix
	}
	return fmt.Sprint(v)
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.10f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
