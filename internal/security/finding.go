package security

import (
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// Severity ranks a failed check.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string { return severityNames[s] }

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// ParseSeverity reads a severity name.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(n, name) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want %s)", name, strings.Join(severityNames[:], ", "))
}

// Status is a check's outcome.
type Status string

// Outcomes. NotChecked is never a pass: the check lacked a right or a
// means to look.
const (
	Pass       Status = "pass"
	Fail       Status = "fail"
	NotChecked Status = "not_checked"
)

// Finding is one check's outcome.
type Finding struct {
	ID       string   `json:"id"`    // SEC1xx target, SEC2xx sources
	Check    string   `json:"check"` // what was looked at
	Status   Status   `json:"status"`
	Severity Severity `json:"severity"` // of a failure; Info otherwise
	Evidence string   `json:"evidence"` // what was seen
	Fix      string   `json:"fix,omitempty"`
	Needs    string   `json:"needs,omitempty"` // not checked: the right or means it needs
}

// Report is an audit's findings.
type Report struct {
	Target   string    `json:"target,omitempty"`
	Version  string    `json:"server_version,omitempty"`
	Login    string    `json:"login,omitempty"`
	Findings []Finding `json:"findings"`
}

// Worst is the highest severity among failures, and whether any failed.
func (r *Report) Worst() (Severity, bool) {
	worst, any := Info, false
	for _, f := range r.Findings {
		if f.Status == Fail {
			worst, any = max(worst, f.Severity), true
		}
	}
	return worst, any
}

func pass(id, check, evidence string) Finding {
	return Finding{ID: id, Check: check, Status: Pass, Evidence: evidence}
}

func fail(id, check string, sev Severity, evidence, fix string) Finding {
	return Finding{ID: id, Check: check, Status: Fail, Severity: sev, Evidence: evidence, Fix: fix}
}

func notChecked(id, check, needs, evidence string) Finding {
	return Finding{ID: id, Check: check, Status: NotChecked, Needs: needs, Evidence: firstLine(evidence)}
}

// unreadable is a check Odoo would not answer: for an access error the
// right it needs, else what went wrong (an unknown model: the module is
// not installed). notes are appended to the evidence.
func unreadable(id, check, right string, err error, notes ...string) Finding {
	needs := right
	if !odoo.IsKind(err, odoo.KindAccess) {
		needs = "an answer from Odoo"
	}
	f := notChecked(id, check, needs, err.Error())
	for _, n := range notes {
		f.Evidence += "; " + n
	}
	return f
}

// firstLine keeps an error's first line (Odoo's access errors go on with
// the groups and advice).
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
