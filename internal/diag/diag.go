package diag

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ferry-migrate/ferry/internal/record"
)

// Severity orders findings. Error quarantines a row; Warning does not.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText renders the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "info":
		*s = Info
	case "warning", "warn":
		*s = Warning
	case "error":
		*s = Error
	default:
		return fmt.Errorf("unknown severity %q (want info, warning or error)", b)
	}
	return nil
}

// Diagnostic is one finding. Pos names the source row; Entity, Field and
// ExternalID narrow it down. Msg never contains a secret; it may contain a
// source value only where that value is needed to fix the row.
type Diagnostic struct {
	Code       string          `json:"code"`
	Severity   Severity        `json:"severity"`
	Pos        record.Position `json:"pos"`
	Entity     string          `json:"entity,omitempty"`
	Field      string          `json:"field,omitempty"`
	ExternalID string          `json:"xmlid,omitempty"`
	Msg        string          `json:"message"`
	Hint       string          `json:"hint,omitempty"`
}

// String renders "pos: severity CODE: entity.field: message (hint)".
func (d Diagnostic) String() string {
	var b strings.Builder
	if p := d.Pos.String(); p != "" {
		b.WriteString(p + ": ")
	}
	fmt.Fprintf(&b, "%s %s: ", d.Severity, d.Code)
	if d.Entity != "" || d.Field != "" {
		b.WriteString(strings.Trim(d.Entity+"."+d.Field, ".") + ": ")
	}
	b.WriteString(d.Msg)
	if d.Hint != "" {
		b.WriteString(" (" + d.Hint + ")")
	}
	return b.String()
}

// Reporter receives findings. Implementations must be safe for concurrent use.
type Reporter interface {
	Report(d Diagnostic)
}

// ReporterFunc adapts a function to Reporter.
type ReporterFunc func(Diagnostic)

// Report calls f(d).
func (f ReporterFunc) Report(d Diagnostic) { f(d) }

// List collects findings; it is safe for concurrent use.
type List struct {
	mu    sync.Mutex
	items []Diagnostic
}

// Report appends d.
func (l *List) Report(d Diagnostic) {
	l.mu.Lock()
	l.items = append(l.items, d)
	l.mu.Unlock()
}

// All returns a copy of the findings in report order.
func (l *List) All() []Diagnostic {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Diagnostic(nil), l.items...)
}

// Max returns the highest severity reported, or -1 when there is none.
func Max(ds []Diagnostic) Severity {
	m := Severity(-1)
	for _, d := range ds {
		if d.Severity > m {
			m = d.Severity
		}
	}
	return m
}
