package load

import (
	"sort"
	"sync"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/quarantine"
)

// quarantines holds the run's quarantine files, one per entity (and one
// per entity and one2many field for orphan lines); safe for concurrent use.
type quarantines struct {
	mu  sync.Mutex
	dir string
	ws  map[string]*quarantine.Writer
	by  map[string][]string // entity → file names
}

func newQuarantines(dir string) *quarantines {
	return &quarantines{dir: dir, ws: map[string]*quarantine.Writer{}, by: map[string][]string{}}
}

// write appends o's source row with its findings and extra ones.
func (q *quarantines) write(e *pipeline.Entity, o pipeline.Outcome, extra []diag.Diagnostic) error {
	if q.dir == "" || o.Source == nil {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	name, cols := e.Name, e.Columns
	if !same(o.Source.Columns, e.Columns) && len(o.Findings) > 0 {
		name, cols = e.Name+"."+o.Findings[0].Field, o.Source.Columns
	}
	w, ok := q.ws[name]
	if !ok {
		var err error
		if w, err = quarantine.Open(q.dir, name, cols); err != nil {
			return err
		}
		q.ws[name] = w
		q.by[e.Name] = append(q.by[e.Name], name)
	}
	return w.Write(o.Source, append(append([]diag.Diagnostic(nil), o.Findings...), extra...))
}

// close closes every file and lists them on the entities' first pass.
func (q *quarantines) close(s *Summary) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	var first error
	for _, es := range s.Entities {
		if es.Pass != 1 {
			continue
		}
		for _, name := range q.by[es.Name] {
			w := q.ws[name]
			if err := w.Close(); err != nil && first == nil {
				first = err
			}
			if w.Count() > 0 {
				es.Quarantine = append(es.Quarantine, w.Path())
			}
		}
		sort.Strings(es.Quarantine)
	}
	return first
}

func same(a, b []string) bool {
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
