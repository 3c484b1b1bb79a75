package cli

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/load"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/report"
)

// runEvidence completes a run's report with what a reviewer signs: the
// sources and their digests, the context the run used, the quarantined
// rows with their reasons (from the ledger), and the audit log's
// checkpoint after the run's entry.
func runEvidence(ctx context.Context, rep *report.Report, p *plan.Plan, st *ledger.Store, sum *load.Summary, cp audit.Checkpoint) error {
	digests, err := inputDigests(p)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(p.Sources))
	for n := range p.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rep.Sources = append(rep.Sources, report.Source{Name: n, Kind: p.Sources[n].Kind})
	}
	files := make([]string, 0, len(digests))
	for f := range digests {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		rep.Sources = append(rep.Sources, report.Source{Name: f, Kind: "file", Digest: digests[f]})
	}
	rep.RunID, rep.Context = sum.RunID, sum.Context
	if cp.Seq > 0 {
		rep.Audit = report.AuditHead{Seq: cp.Seq, Hash: cp.Hash, Checkpoint: cp.String()}
	}
	return quarantinedRows(ctx, rep, st, sum.RunID)
}

var codeRE = regexp.MustCompile(`^([A-Z]+\d{3}): `)

// quarantinedRows lists each entity's quarantined rows of the first pass.
func quarantinedRows(ctx context.Context, rep *report.Report, st *ledger.Store, runID string) error {
	rows, err := st.RunRows(ctx, runID)
	if err != nil {
		return err
	}
	byEntity := map[string]*report.Entity{}
	for i := range rep.Entities {
		byEntity[rep.Entities[i].Name] = &rep.Entities[i]
	}
	for _, r := range rows {
		e := byEntity[r.Entity]
		if e == nil || r.Pass != 1 || r.State != ledger.Quarantined {
			continue
		}
		row := report.Row{Key: displayRowKey(r), Position: strings.TrimPrefix(r.Key, "@")}
		for _, part := range strings.Split(r.Message, "; ") {
			if m := codeRE.FindStringSubmatch(part); m != nil {
				row.Codes = append(row.Codes, m[1])
			}
			row.Messages = append(row.Messages, part)
		}
		if !strings.HasPrefix(r.Key, "@") {
			row.Position = ""
		}
		e.Quarantined = append(e.Quarantined, row)
	}
	return nil
}

func displayRowKey(r ledger.Row) string {
	if r.SourceKey != "" {
		return r.SourceKey
	}
	if strings.HasPrefix(r.Key, "@") {
		return fmt.Sprintf("(row at %s)", strings.TrimPrefix(r.Key, "@"))
	}
	return r.Key
}
