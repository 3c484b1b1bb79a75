package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/record"
)

// lineIndex holds a lines source grouped by parent key. Lines sources are
// read whole: they are joined to parents in any order.
type lineIndex struct {
	cl       *compiledLines
	byParent map[string][]*record.Record
	parents  []string
	used     map[string]bool
	columns  []string
}

func (p *Pipeline) loadLines(ctx context.Context, cl *compiledLines) (*lineIndex, error) {
	src, err := p.open(ctx, cl.spec.From)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	schema, err := src.Schema(ctx)
	if err != nil {
		return nil, fmt.Errorf("lines %s: %w", cl.spec.Field, err)
	}
	idx := &lineIndex{cl: cl, byParent: map[string][]*record.Record{}, used: map[string]bool{}, columns: schema.Names()}
	err = src.Scan(ctx, record.Position{}, func(rec *record.Record) error {
		parts, _ := keyParts(rec, cl.spec.Join)
		k := strings.Join(parts, "\x1f")
		if _, ok := idx.byParent[k]; !ok {
			idx.parents = append(idx.parents, k)
		}
		idx.byParent[k] = append(idx.byParent[k], rec)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lines %s: %w", cl.spec.Field, err)
	}
	return idx, nil
}

// take returns the lines of parent raw key, marking them used.
func (idx *lineIndex) take(raw string, mark bool) []*record.Record {
	if mark {
		idx.used[raw] = true
	}
	return idx.byParent[raw]
}

// orphans yields one Quarantined outcome per line whose parent key matched
// no row of the entity (a skipped parent's lines are skipped with it).
func (r *streamRun) orphans(fn func(Outcome) error) error {
	for _, idx := range r.lines {
		for _, k := range idx.parents {
			if idx.used[k] {
				continue
			}
			for _, rec := range idx.byParent[k] {
				o := Outcome{Source: rec, State: Quarantined, Findings: []diag.Diagnostic{{
					Code: "MAP211", Severity: diag.Error, Pos: rec.Pos, Entity: r.e.Name, Field: idx.cl.spec.Field,
					Msg:  fmt.Sprintf("line of %s %s, which is not in the source", r.e.Name, displayKey(k, false)),
					Hint: "fix the line's " + strings.Join(idx.cl.spec.Join, ",") + " or add the parent row",
				}}}
				if err := fn(o); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
