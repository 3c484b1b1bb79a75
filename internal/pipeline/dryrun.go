package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/quarantine"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Summary is the result of a dry run (`ferry validate`).
type Summary struct {
	Plan      string            `json:"plan"`
	Digest    string            `json:"plan_sha256"`
	Namespace string            `json:"namespace"`
	Schema    string            `json:"schema,omitempty"`
	Order     []string          `json:"order"`
	Entities  []*EntitySummary  `json:"entities"`
	Findings  []diag.Diagnostic `json:"plan_findings,omitempty"`
	Codes     map[string]int    `json:"codes"`
	Errors    int               `json:"errors"`
	Warnings  int               `json:"warnings"`
	Holds     bool              `json:"identity_holds"`
	// Examples are the first findings at warning or above, for display.
	Examples []diag.Diagnostic `json:"examples,omitempty"`
}

// EntitySummary counts one entity's rows. WouldLoad stands for loaded:
// Read = WouldLoad + Unchanged + Quarantined + Skipped.
type EntitySummary struct {
	Name        string         `json:"name"`
	Model       string         `json:"model"`
	Read        int64          `json:"read"`
	WouldLoad   int64          `json:"would_load"`
	Unchanged   int64          `json:"unchanged"`
	Quarantined int64          `json:"quarantined"`
	Skipped     int64          `json:"skipped"`
	Lines       int64          `json:"lines,omitempty"`
	Holds       bool           `json:"identity_holds"`
	Codes       map[string]int `json:"codes,omitempty"`
	SkipRules   map[string]int `json:"skip_rules,omitempty"`
	Quarantine  []string       `json:"quarantine_files,omitempty"`
}

// MaxExamples bounds Summary.Examples.
const MaxExamples = 20

// DryRun streams every entity's first pass, counts outcomes and writes
// quarantined rows to quarantineDir/<entity>.csv (orphan lines to
// <entity>.<field>.csv). It writes nothing else.
func (p *Pipeline) DryRun(ctx context.Context, quarantineDir string) (*Summary, error) {
	s := &Summary{Plan: p.plan.Name, Digest: p.plan.Digest, Namespace: p.plan.Namespace, Codes: map[string]int{}, Holds: true}
	for _, e := range p.Entities() {
		s.Order = append(s.Order, orderLabel(e))
	}
	for _, e := range p.Entities() {
		if e.Pass != 1 {
			continue
		}
		es, err := p.dryRunEntity(ctx, e, quarantineDir, s)
		if err != nil {
			return s, err
		}
		s.Entities = append(s.Entities, es)
		s.Holds = s.Holds && es.Holds
	}
	s.Findings = p.Findings()
	for _, d := range s.Findings {
		s.count(d)
	}
	return s, nil
}

func orderLabel(e *Entity) string {
	if e.Pass == 2 {
		return fmt.Sprintf("%s (link %s)", e.Name, strings.Join(e.Links, ", "))
	}
	return e.Name
}

func (s *Summary) count(d diag.Diagnostic) {
	s.Codes[d.Code]++
	switch {
	case d.Severity >= diag.Error:
		s.Errors++
	case d.Severity == diag.Warning:
		s.Warnings++
	}
	if d.Severity >= diag.Warning && len(s.Examples) < MaxExamples {
		s.Examples = append(s.Examples, d)
	}
}

type qwriters struct {
	dir     string
	entity  string
	columns []string
	ws      map[string]*quarantine.Writer
}

func (q *qwriters) write(o Outcome) error {
	name := q.entity
	cols := q.columns
	if o.Source != nil && !sameColumns(o.Source.Columns, q.columns) {
		name, cols = q.entity+"."+o.Findings[0].Field, o.Source.Columns
	}
	w, ok := q.ws[name]
	if !ok {
		var err error
		if w, err = quarantine.Open(q.dir, name, cols); err != nil {
			return err
		}
		q.ws[name] = w
	}
	return w.Write(o.Source, o.Findings)
}

func (q *qwriters) close(es *EntitySummary) error {
	var first error
	for _, name := range sortedKeys(q.ws) {
		w := q.ws[name]
		if err := w.Close(); err != nil && first == nil {
			first = err
		}
		if w.Count() > 0 {
			es.Quarantine = append(es.Quarantine, w.Path())
		}
	}
	return first
}

func sameColumns(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (p *Pipeline) dryRunEntity(ctx context.Context, e *Entity, dir string, s *Summary) (*EntitySummary, error) {
	es := &EntitySummary{Name: e.Name, Model: e.Model, Codes: map[string]int{}, SkipRules: map[string]int{}}
	q := &qwriters{dir: dir, entity: e.Name, ws: map[string]*quarantine.Writer{}}
	// scratch: this fn keeps nothing of an Outcome, so build reuses one Row
	err := p.stream(ctx, e, true, func(o Outcome) error {
		q.columns = e.Columns
		es.Read++
		for _, d := range o.Findings {
			es.Codes[d.Code]++
			s.count(d)
		}
		switch o.State {
		case Ready:
			es.WouldLoad++
			for _, ls := range lines(o) {
				es.Lines += int64(len(ls))
			}
		case Skipped:
			es.Skipped++
			es.SkipRules[o.SkipRule]++
		case Quarantined:
			es.Quarantined++
			if dir != "" {
				return q.write(o)
			}
		}
		return nil
	})
	if cerr := q.close(es); err == nil {
		err = cerr
	}
	es.Holds = es.Read == es.WouldLoad+es.Unchanged+es.Quarantined+es.Skipped
	sort.Strings(es.Quarantine)
	return es, err
}

func lines(o Outcome) map[string][]record.Row {
	if o.Row == nil {
		return nil
	}
	return o.Row.Lines
}
