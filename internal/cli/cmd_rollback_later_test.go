package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/snapshot"
)

// These tests run a plan several times, changing its source in between,
// then undo an earlier run: the target must return to its state before
// that run, record for record, or the command must refuse.

const laterPlan = `  - name: partners
    model: res.partner
    unmasked: [name, city] # synthetic test data
    from: {source: legacy, file: partners.csv}
    key: code
    fields:
      name: row.name
      city: row.city
`

// laterRuns is a plan on a fresh sandbox whose source the test rewrites
// between runs.
type laterRuns struct {
	t    *testing.T
	plan string
	c    *odoo.Client
}

func newLaterRuns(t *testing.T, csv string) *laterRuns { return newLaterRunsOf(t, csv, laterPlan) }

func newLaterRunsOf(t *testing.T, csv, entities string) *laterRuns {
	plan, _, c := sandboxPlan(t, "later", map[string]string{"partners.csv": csv}, entities)
	return &laterRuns{t: t, plan: plan, c: c}
}

// run runs the plan on csv and returns the run's id.
func (l *laterRuns) run(csv string) string {
	l.t.Helper()
	require.NoError(l.t, os.WriteFile(filepath.Join(filepath.Dir(l.plan), "data", "partners.csv"), []byte(csv), 0o644))
	code, out, errs := run(l.t, "run", l.plan)
	require.Equal(l.t, ExitOK, code, "%s\n%s", out, errs)
	return latestRunID(l.t, l.plan)
}

// existing creates, before any run, partners under the plan's external
// IDs (code, name, city), so that the first run updates them.
func (l *laterRuns) existing(rows ...[]string) {
	l.t.Helper()
	data := make([][]string, len(rows))
	for i, r := range rows {
		data[i] = []string{"legacy_later.partners_" + r[0], r[1], r[2]}
	}
	res, err := l.c.Load(context.Background(), "res.partner", []string{"id", "name", "city"}, data, nil)
	require.NoError(l.t, err)
	require.False(l.t, res.RolledBack, "%+v", res.Messages)
}

// snap fingerprints every partner and external ID of the target.
func (l *laterRuns) snap() *snapshot.Snapshot {
	l.t.Helper()
	s, err := snapshot.Take(context.Background(), snapshotReader{l.c}, snapshot.Options{Models: []string{"res.partner", "ir.model.data"},
		Fingerprint: map[string]bool{"res.partner": true, "ir.model.data": true}})
	require.NoError(l.t, err)
	return s
}

// sameAs fails unless the target holds exactly what before recorded.
func (l *laterRuns) sameAs(before *snapshot.Snapshot, msg string) {
	l.t.Helper()
	var out strings.Builder
	diffs := snapshot.Compare(before, l.snap(), nil)
	require.NoError(l.t, printCompare(&out, diffs, 0))
	for _, d := range diffs {
		require.True(l.t, d.Clean(), "%s:\n%s", msg, out.String())
	}
}

// city reads the city of the partner with code.
func (l *laterRuns) city(code string) string {
	l.t.Helper()
	ctx := context.Background()
	_, id, err := l.c.Resolve(ctx, "legacy_later.partners_"+code)
	require.NoError(l.t, err)
	recs, err := l.c.Read(ctx, "res.partner", []int64{id}, []string{"city"})
	require.NoError(l.t, err)
	require.Len(l.t, recs, 1)
	return recs[0]["city"].(string)
}

// status reads a run's status from the ledger.
func (l *laterRuns) status(id string) ledger.Status {
	l.t.Helper()
	st, err := ledger.Open(context.Background(), filepath.Join(filepath.Dir(l.plan), ".ferry"))
	require.NoError(l.t, err)
	defer st.Close()
	r, err := st.Run(context.Background(), id)
	require.NoError(l.t, err)
	return r.Status
}

// latestRunID reads the id of the plan's newest run from its ledger.
func latestRunID(t *testing.T, plan string) string {
	t.Helper()
	st, err := ledger.Open(context.Background(), filepath.Join(filepath.Dir(plan), ".ferry"))
	require.NoError(t, err)
	defer st.Close()
	runs, err := st.Runs(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, runs)
	return runs[0].ID
}

const (
	csvA = "code,name,city\nP1,One,Oslo\nP2,Two,Bergen\n"
	csvB = "code,name,city\nP1,One,Trondheim\nP2,Two,Bergen\nP3,Three,Bodø\n"
)

// Undoing run A alone after run B of the same plan is refused, naming B
// and --with-later; nothing changes in the target or the ledger. (Before,
// it deleted and restored nothing, since B had taken A's ledger rows over,
// and marked A rolled back: A's records stayed.)
func TestRollbackOfARunLaterRunsBuiltOnIsRefused(t *testing.T) {
	l := newLaterRuns(t, csvA)
	runA := l.run(csvA)
	runB := l.run(csvB)
	after := l.snap()

	for _, args := range [][]string{{"--run", runA}, {"--run", runA, "--dry-run"}} {
		code, out, errs := run(t, append([]string{"rollback", l.plan}, args...)...)
		require.Equal(t, ExitDirty, code, "%s\n%s", out, errs)
		require.Contains(t, errs, "run "+runA+" (started ")
		require.Contains(t, errs, "has 1 later run(s) of plan later that built on it: "+runB+" (started ")
		require.Contains(t, errs, ", done)")
		require.Contains(t, errs, "with --with-later")
		require.NotContains(t, out, "deleted")
	}
	l.sameAs(after, "a refused rollback changes nothing")
	require.Equal(t, ledger.StatusDone, l.status(runA))
	require.Equal(t, ledger.StatusDone, l.status(runB))
}

// Created only: A creates P1 and P2, B creates P3 and P4 (P1, P2
// unchanged). --with-later deletes all four; verify finds none of them;
// the next run creates them again.
func TestRollbackWithLaterCreatedOnly(t *testing.T) {
	l := newLaterRuns(t, csvA)
	before := l.snap()
	runA := l.run(csvA)
	runB := l.run(csvA + "P3,Three,Bodø\nP4,Four,Tromsø\n")

	code, out, errs := run(t, "rollback", l.plan, "--run", runA, "--with-later")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "rolling back run "+runA+" with 1 later run(s), newest first: "+runB+", "+runA)
	require.Contains(t, out, "rollback of run "+runB+": 2 deleted, 0 restored, 0 refused")
	require.Contains(t, out, "rollback of run "+runA+": 2 deleted, 0 restored, 0 refused")
	require.Contains(t, out, "rolled back 2 runs: "+runB+", "+runA)
	l.sameAs(before, "the target is as it was before run A")
	require.Equal(t, ledger.StatusRolledBack, l.status(runA))
	require.Equal(t, ledger.StatusRolledBack, l.status(runB))

	code, out, errs = run(t, "verify", l.plan)
	require.Equal(t, ExitDifferences, code, "%s\n%s", out, errs)
	require.Regexp(t, `partners\s+res.partner\s+0\s+0\s+4\s+0\s+0\n`, out, "every row is missing: none matches, differs or is extra")

	code, out, errs = run(t, "run", l.plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Regexp(t, `partners\s+res.partner\s+4\s+4\s+0\s+0\s+0\s+holds`, out, "the ledger forgot the undone rows: all are loaded again")
}

// Updated only: P1 and P2 existed before A under the plan's external IDs;
// A and B update them. --with-later writes back the values they had
// before A.
func TestRollbackWithLaterUpdatedOnly(t *testing.T) {
	l := newLaterRuns(t, csvA)
	l.existing([]string{"P1", "Old One", "Old Town"}, []string{"P2", "Old Two", "Old Village"})
	before := l.snap()
	runA := l.run(csvA)
	runB := l.run("code,name,city\nP1,One,Trondheim\nP2,Two,Narvik\n")
	require.Equal(t, "Trondheim", l.city("P1"))

	code, out, errs := run(t, "rollback", l.plan, "--run", runA, "--with-later", "--dry-run")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "rolling back run "+runA+" undoes 1 later run(s) first, newest first: "+runB+", "+runA)
	require.Contains(t, out, "rollback of run "+runB+" would:\n  partners restore ×2")
	require.Contains(t, out, "rollback of run "+runA+" would:\n  partners restore ×2")
	require.Equal(t, "Trondheim", l.city("P1"), "a dry run changes nothing")

	code, out, errs = run(t, "rollback", l.plan, "--run", runA, "--with-later")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "rollback of run "+runB+": 0 deleted, 2 restored, 0 refused")
	require.Contains(t, out, "rollback of run "+runA+": 0 deleted, 2 restored, 0 refused")
	l.sameAs(before, "the target is as it was before run A")
	require.Equal(t, "Old Town", l.city("P1"))
}

// Mixed, three runs: A updates P0 (existing) and creates P1, P2; B
// updates P0 and P1 and creates P3; C updates P2. Undoing A with the
// later runs undoes C, B, then A; the audit log names each run.
func TestRollbackWithLaterMixed(t *testing.T) {
	l := newLaterRuns(t, csvA)
	l.existing([]string{"P0", "Old Zero", "Old Town"})
	before := l.snap()
	runA := l.run("code,name,city\nP0,Zero,Hamar\nP1,One,Oslo\nP2,Two,Bergen\n")
	runB := l.run("code,name,city\nP0,Zero,Molde\nP1,One,Trondheim\nP2,Two,Bergen\nP3,Three,Bodø\n")
	runC := l.run("code,name,city\nP0,Zero,Molde\nP1,One,Trondheim\nP2,Two,Narvik\nP3,Three,Bodø\n")

	code, out, errs := run(t, "rollback", l.plan, "--run", runA)
	require.Equal(t, ExitDirty, code, "%s\n%s", out, errs)
	require.Contains(t, errs, "has 2 later run(s) of plan later that built on it: "+runC+" (started ")

	code, out, errs = run(t, "rollback", l.plan, "--run", runA, "--with-later")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "newest first: "+runC+", "+runB+", "+runA)
	require.Contains(t, out, "rollback of run "+runC+": 0 deleted, 1 restored, 0 refused")
	require.Contains(t, out, "rollback of run "+runB+": 1 deleted, 2 restored, 0 refused")
	require.Contains(t, out, "rollback of run "+runA+": 2 deleted, 1 restored, 0 refused")
	l.sameAs(before, "the target is as it was before run A")

	var undone []string
	for _, e := range auditEntries(t, l.plan) {
		if e["action"] == "rollback" {
			undone = append(undone, e["run_id"].(string))
			d := e["details"].(map[string]any)
			require.Equal(t, runA, d["requested_run"])
			require.Equal(t, []any{runC, runB, runA}, d["runs"])
		}
	}
	require.Equal(t, []string{runC, runB, runA}, undone, "one audit entry per run undone, in order")

	code, out, errs = run(t, "rollback", l.plan, "--run", runB, "--with-later")
	require.Equal(t, ExitUsage, code, "a rolled-back run is not undone twice: %s", out)
	require.Contains(t, errs, "already rolled back")
}

// Undoing the newest run needs no option and leaves the target as the run
// before left it; the ledger's rows go back too, so the next run redoes
// what was undone (before, it saw its rows as unchanged and loaded
// nothing).
func TestRollbackOfTheNewestRunThenRunAgain(t *testing.T) {
	l := newLaterRuns(t, csvA)
	l.run(csvA)
	afterA := l.snap()
	runB := l.run(csvB)

	code, out, errs := run(t, "rollback", l.plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Equal(t, "rollback of run "+runB+": 1 deleted, 1 restored, 0 refused\n", out)
	l.sameAs(afterA, "the target is as run A left it")

	code, out, errs = run(t, "run", l.plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Regexp(t, `partners\s+res.partner\s+3\s+2\s+1\s+0\s+0\s+holds`, out)
	require.Equal(t, "Trondheim", l.city("P1"))
	require.Equal(t, "Bodø", l.city("P3"))
}

// A record someone changed in Odoo after run A wrote it (and B left
// alone) stops the chain at A: B is undone and marked, A is not. Once the
// edit is reverted, rolling A back again finishes it: the record A updated
// and the first attempt restored is not taken for an edit.
func TestRollbackWithLaterStopsAtARunWithRefusals(t *testing.T) {
	l := newLaterRuns(t, csvA)
	l.existing([]string{"P0", "Old Zero", "Old Town"})
	before := l.snap()
	runA := l.run("code,name,city\nP0,Zero,Hamar\n" + strings.TrimPrefix(csvA, "code,name,city\n"))
	runB := l.run("code,name,city\nP0,Zero,Hamar\n" + strings.TrimPrefix(csvB, "code,name,city\n"))
	ctx := context.Background()
	_, id, err := l.c.Resolve(ctx, "legacy_later.partners_P2")
	require.NoError(t, err)
	require.NoError(t, l.c.Write(ctx, "res.partner", []int64{id}, map[string]any{"city": "Edited"}))

	code, out, errs := run(t, "rollback", l.plan, "--run", runA, "--with-later")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Contains(t, out, "rollback of run "+runB+": 1 deleted, 1 restored, 0 refused")
	require.Contains(t, out, "rollback of run "+runA+": 1 deleted, 1 restored, 1 refused")
	require.Contains(t, out, `city: the run wrote "Bergen", Odoo now holds "Edited"`)
	require.Contains(t, out, "rolled back 1 run(s): "+runB)
	require.Contains(t, errs, "1 record(s) of run "+runA+" could not be undone")
	require.Equal(t, ledger.StatusRolledBack, l.status(runB))
	require.Equal(t, ledger.StatusDone, l.status(runA))
	require.Equal(t, "Old Town", l.city("P0"))

	require.NoError(t, l.c.Write(ctx, "res.partner", []int64{id}, map[string]any{"city": "Bergen"}))
	code, out, errs = run(t, "rollback", l.plan, "--run", runA)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "0 refused")
	l.sameAs(before, "the target is as it was before run A")
	require.Equal(t, ledger.StatusRolledBack, l.status(runA))
}

// A run that changed only links (pass 2) of records an earlier run
// created is undone too: their before-images give the links back.
// (Before, such a run's rollback did nothing: only pass-1 rows were read.)
func TestRollbackUndoesARunThatChangedOnlyLinks(t *testing.T) {
	l := newLaterRunsOf(t, "code,name,city,parent\nP1,One,Oslo,\nP2,Two,Oslo,\n", laterPlan+`      parent_id: ref("partners", row.parent)
`)
	before := l.snap()
	runA := l.run("code,name,city,parent\nP1,One,Oslo,\nP2,Two,Oslo,\n")
	afterA := l.snap()
	runB := l.run("code,name,city,parent\nP1,One,Oslo,\nP2,Two,Oslo,P1\n")

	code, out, errs := run(t, "rollback", l.plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Equal(t, "rollback of run "+runB+": 0 deleted, 1 restored, 0 refused\n", out)
	l.sameAs(afterA, "the link run B wrote is undone")

	l.run("code,name,city,parent\nP1,One,Oslo,\nP2,Two,Oslo,P1\n")
	code, out, errs = run(t, "rollback", l.plan, "--run", runA, "--with-later")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "rollback of run "+runA+": 2 deleted, 0 restored, 0 refused")
	l.sameAs(before, "the target is as it was before run A")
}

// auditEntries reads the plan's audit log.
func auditEntries(t *testing.T, plan string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(filepath.Dir(plan), ".ferry", "audit.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
		out = append(out, e)
	}
	require.NoError(t, sc.Err())
	return out
}
