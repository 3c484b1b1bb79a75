package load

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/progress"
)

const testPlan = `version: 1
name: t
namespace: ns_test
target: {url: "http://127.0.0.1:1", database: x, login: a}
sources:
  legacy: {kind: csv, path: .}
load: {batch_size: 3}
entities:
  - name: customers
    model: res.partner
    from: {source: legacy, file: customers.csv}
    key: id
    fields:
      name: trim(row.name)
      email: row.email
      parent_id: ref("customers", row.parent)
    skip:
      - {name: closed, when: 'row.status == "closed"', reason: "account closed"}
    rules:
      - {required: [name]}
  - name: invoices
    model: account.move
    from: {source: legacy, file: invoices.csv}
    key: no
    after_load: action_post
    fields:
      partner_id: ref("customers", row.customer)
      ref: row.no
    lines:
      - field: invoice_line_ids
        from: {source: legacy, file: lines.csv}
        join: no
        line_key: line
        fields:
          name: row.text
          quantity: parse_number(row.qty)
`

var testFiles = map[string]string{
	"customers.csv": "id,name,email,parent,status\n" +
		"1,Acme,a@acme.test,,open\n" +
		"2,Bob,bob@acme.test,1,open\n" +
		"3,BAD Carol,c@x.test,,open\n" +
		"4,Dan,d@x.test,,closed\n" +
		"5,,e@x.test,,open\n" +
		"6,Eve,e@y.test,1,open\n" +
		"7,Fay,f@y.test,,open\n" +
		"8,Gus,g@y.test,7,open\n",
	"invoices.csv": "no,customer\nI1,1\nI2,2\nI3,3\nI4,6\n",
	"lines.csv":    "no,line,text,qty\nI1,1,Bolts,2\nI1,2,Nuts,3\nI2,1,Bulb,1\nI3,1,Lamp,1\nI4,1,Gear,4\nI4,2,Pin,1\nI4,3,Cap,7\n",
}

type fixture struct {
	dir   string
	store *ledger.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plan.yaml"), []byte(testPlan), 0o600))
	for name, body := range testFiles {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	f := &fixture{dir: dir}
	f.reopen(t)
	return f
}

func (f *fixture) reopen(t *testing.T) {
	t.Helper()
	if f.store != nil {
		require.NoError(t, f.store.Close())
	}
	s, err := ledger.Open(context.Background(), filepath.Join(f.dir, ".ferry"))
	require.NoError(t, err)
	f.store = s
	t.Cleanup(func() { _ = s.Close() })
}

func (f *fixture) run(t *testing.T, target Target, o Options) (*Summary, error) {
	t.Helper()
	p, ds, err := plan.Load(filepath.Join(f.dir, "plan.yaml"))
	require.NoError(t, err)
	require.Empty(t, ds)
	pl, err := pipeline.Prepare(context.Background(), p, pipeline.Options{})
	require.NoError(t, err)
	defer pl.Close()
	if o.Quarantine == "" {
		o.Quarantine = filepath.Join(f.dir, "quarantine")
	}
	if o.Workers == 0 {
		o.Workers = 1
	}
	return Run(context.Background(), pl, target, f.store, o)
}

func rejectBad(_ string, row map[string]string) string {
	if strings.HasPrefix(row["name"], "BAD") {
		return "the name is refused"
	}
	return ""
}

func counts(s *Summary) map[string][5]int64 {
	out := map[string][5]int64{}
	for _, e := range s.Entities {
		out[e.Name+"/"+string(rune('0'+e.Pass))] = [5]int64{e.Read, e.Loaded, e.Unchanged, e.Quarantined, e.Skipped}
	}
	return out
}

func TestRunLoadsQuarantinesAndPosts(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprint("workers ", workers), func(t *testing.T) { testRunLoads(t, workers) })
	}
}

func testRunLoads(t *testing.T, workers int) {
	f := newFixture(t)
	fake := newFake()
	fake.reject, fake.field = rejectBad, "name"
	rec := &progress.Recorder{}
	s, err := f.run(t, fake, Options{Events: rec, Workers: workers})
	require.NoError(t, err)
	require.Equal(t, "partial", s.Result)
	require.True(t, s.Holds)
	require.Equal(t, map[string][5]int64{
		// read, loaded, unchanged, quarantined, skipped
		"customers/1": {8, 5, 0, 2, 1},
		"customers/2": {8, 5, 0, 2, 1},
		"invoices/1":  {4, 4, 0, 0, 0},
	}, counts(s))
	inv := s.Entities[2]
	require.Equal(t, &StepSummary{Method: "action_post", Done: 4}, inv.AfterLoad)
	require.Len(t, fake.execs, 4)
	require.Equal(t, int64(5), s.Entities[0].Created)

	st := fake.state()
	require.Contains(t, st, "ns_test.customers_2 res.partner email=bob@acme.test name=Bob parent_id/id=ns_test.customers_1")
	require.Contains(t, st, "ns_test.invoices_I4_3 account.move.line name=Cap quantity=7")
	require.NotContains(t, strings.Join(st, "\n"), "Carol")

	rows, err := f.store.Rows(context.Background(), "customers", 1)
	require.NoError(t, err)
	require.Equal(t, ledger.Quarantined, rows["ns_test.customers_3"].State)
	require.Contains(t, rows["ns_test.customers_3"].Message, "the name is refused")
	require.Equal(t, ledger.Skipped, rows["@customers.csv:5"].State)

	q, err := os.ReadFile(filepath.Join(f.dir, "quarantine", "customers.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), "the name is refused")
	require.Equal(t, []string{filepath.Join(f.dir, "quarantine", "customers.csv")}, s.Entities[0].Quarantine)
	requireEvent(t, rec, "batch_committed")
	requireEvent(t, rec, "record_rejected")
}

func requireEvent(t *testing.T, rec *progress.Recorder, kind string) {
	t.Helper()
	for _, e := range rec.Events() {
		if e.Kind() == kind {
			return
		}
	}
	t.Fatalf("no %s event", kind)
}

func TestRunAgainIsUnchangedAndUpdatesEditedRows(t *testing.T) {
	f := newFixture(t)
	fake := newFake()
	_, err := f.run(t, fake, Options{})
	require.NoError(t, err)
	first := fake.state()
	loads := fake.loads

	s, err := f.run(t, fake, Options{})
	require.NoError(t, err)
	require.Equal(t, loads, fake.loads, "nothing is sent again")
	require.Equal(t, first, fake.state())
	require.Equal(t, [5]int64{8, 0, 6, 1, 1}, counts(s)["customers/1"])
	require.Equal(t, &StepSummary{Method: "action_post"}, s.Entities[2].AfterLoad, "unchanged records are not posted again")

	body := strings.Replace(testFiles["customers.csv"], "Fay,f@y.test", "Fay,fay@y.test", 1)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "customers.csv"), []byte(body), 0o600))
	s, err = f.run(t, fake, Options{})
	require.NoError(t, err)
	require.Equal(t, [5]int64{8, 1, 5, 1, 1}, counts(s)["customers/1"])
	require.Equal(t, int64(1), s.Entities[0].Updated)
	images, err := f.store.Images(context.Background(), s.RunID)
	require.NoError(t, err)
	require.Len(t, images, 1)
	require.Equal(t, "ns_test.customers_7", images[0].ExternalID)
	require.Contains(t, string(images[0].Fields), `"email":"f@y.test"`)
}

func TestRunAttributesAmbiguousMessagesByBisection(t *testing.T) {
	f := newFixture(t)
	fake := newFake()
	fake.reject, fake.global = rejectBad, true // a global message and row messages without field
	s, err := f.run(t, fake, Options{BatchSize: 10})
	require.NoError(t, err)
	require.Equal(t, [5]int64{8, 5, 0, 2, 1}, counts(s)["customers/1"])
	require.Equal(t, int64(1), s.Entities[0].Rejected)
	require.NotContains(t, strings.Join(fake.state(), "\n"), "Carol")
}

func TestRunStopsOnPersistentFailureAndResumesExactlyOnce(t *testing.T) {
	clean := newFixture(t)
	want := newFake()
	want.reject, want.field = rejectBad, "name"
	ws, err := clean.run(t, want, Options{})
	require.NoError(t, err)
	wantRows := ledgerRows(t, clean.store)

	for _, lost := range []bool{false, true} { // refused, or applied with the answer lost
		f := newFixture(t)
		fake := newFake()
		fake.reject, fake.field = rejectBad, "name"
		fake.fail = func(call int) (error, bool) {
			if call == 2 {
				return &odoo.Error{Kind: odoo.KindConcurrency, Message: "could not serialize access due to concurrent update"}, lost
			}
			return nil, false
		}
		s, err := f.run(t, fake, Options{})
		var se *StoppedError
		require.ErrorAs(t, err, &se)
		require.Equal(t, 4, se.ExitCode())
		require.Equal(t, "failed", s.Result)

		fake.fail = nil
		f.reopen(t)
		s2, err := f.run(t, fake, Options{})
		require.NoError(t, err)
		require.Equal(t, s.RunID, s2.RunID)
		require.True(t, s2.Resumed)
		require.Equal(t, counts(ws), counts(s2))
		require.Equal(t, want.state(), fake.state())
		require.Equal(t, wantRows, ledgerRows(t, f.store))
	}
}

// ledgerRows renders the ledger's rows without run ids, batches and attempts.
func ledgerRows(t *testing.T, s *ledger.Store) []ledger.Row {
	rows, err := s.AllRows(context.Background())
	require.NoError(t, err)
	for i := range rows {
		rows[i].RunID, rows[i].Batch, rows[i].Attempts = "", 0, 0
	}
	return rows
}

func TestRunRefusesChangedPlan(t *testing.T) {
	f := newFixture(t)
	fake := newFake()
	fake.fail = func(int) (error, bool) { return &odoo.Error{Kind: odoo.KindUnavailable, Message: "502"}, false }
	_, err := f.run(t, fake, Options{})
	require.Error(t, err)
	body, err := os.ReadFile(filepath.Join(f.dir, "plan.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "plan.yaml"), append(body, []byte("# edited\n")...), 0o600))
	fake.fail = nil
	_, err = f.run(t, fake, Options{})
	var pc *ledger.PlanChangedError
	require.ErrorAs(t, err, &pc)
	s, err := f.run(t, fake, Options{Force: true})
	require.NoError(t, err)
	require.True(t, s.Resumed)
}

func TestAfterLoadFailuresAreFindings(t *testing.T) {
	f := newFixture(t)
	fake := newFake()
	fake.execFail = func(id int64) string {
		if id%2 == 0 {
			return "the entry is not balanced"
		}
		return ""
	}
	s, err := f.run(t, fake, Options{})
	require.NoError(t, err)
	al := s.Entities[2].AfterLoad
	require.Equal(t, int64(4), al.Done+al.Failed)
	require.NotZero(t, al.Failed)
	require.Equal(t, "partial", s.Result)
	steps, err := f.store.Steps(context.Background(), s.RunID, "invoices")
	require.NoError(t, err)
	require.Len(t, steps, 4)
}

func TestRunIsInterruptible(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, _, err := plan.Load(filepath.Join(f.dir, "plan.yaml"))
	require.NoError(t, err)
	pl, err := pipeline.Prepare(ctx, p, pipeline.Options{})
	require.NoError(t, err)
	stopAtFirstBatch := progress.SinkFunc(func(e progress.Event) {
		if e.Kind() == "batch_committed" {
			cancel()
		}
	})
	fake := newFake()
	s, err := Run(ctx, pl, fake, f.store, Options{Workers: 1, Events: stopAtFirstBatch, Now: func() time.Time { return time.Unix(0, 0) }})
	require.True(t, errors.Is(err, context.Canceled), "got %v", err)
	require.Equal(t, "interrupted", s.Result)
	require.Equal(t, 1, fake.loads, "no batch is sent after the interrupt")
	run, err := f.store.Run(context.Background(), s.RunID)
	require.NoError(t, err)
	require.Equal(t, ledger.StatusInterrupted, run.Status)
	bs, err := f.store.Batches(context.Background(), s.RunID)
	require.NoError(t, err)
	require.Len(t, bs, 1)
	require.Equal(t, ledger.Committed, bs[0].State)
}

func TestRunWithoutIrModelDataRights(t *testing.T) {
	f := newFixture(t)
	fake := newFake()
	fake.denied = true
	rec := &progress.Recorder{}
	s, err := f.run(t, fake, Options{Events: rec})
	require.NoError(t, err)
	require.Equal(t, int64(6), s.Entities[0].Created)
	requireEvent(t, rec, "message")
}

// A row Odoo loads with a warning is loaded, and the warning is kept on
// its ledger row (LOAD404); a row Odoo rolls back without a word, even
// alone, is quarantined as unattributed (LOAD405) and the rest loads.
func TestWarningsAndSilentRejections(t *testing.T) {
	f := newFixture(t)
	fake := newFake()
	fake.warn = func(row map[string]string) string {
		if row["name"] == "Eve" {
			return "the VAT number could not be checked"
		}
		return ""
	}
	fake.silent = func(row map[string]string) bool { return row["name"] == "Gus" }
	s, err := f.run(t, fake, Options{BatchSize: 10})
	require.NoError(t, err)
	require.Equal(t, [5]int64{8, 5, 0, 2, 1}, counts(s)["customers/1"], "Gus and the row without a name quarantined, Dan skipped")
	rows := ledgerRows(t, f.store)
	byKey := map[string]ledger.Row{}
	for _, r := range rows {
		if r.Pass == 1 && r.Entity == "customers" {
			byKey[r.SourceKey] = r
		}
	}
	require.Equal(t, ledger.Loaded, byKey["6"].State)
	require.Contains(t, byKey["6"].Message, CodeWarning+": the VAT number could not be checked")
	require.Equal(t, ledger.Quarantined, byKey["8"].State)
	require.Contains(t, byKey["8"].Message, CodeUnattributed)
	q, err := os.ReadFile(filepath.Join(f.dir, "quarantine", "customers.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), CodeUnattributed)
}

// A line an earlier run wrote and the source no longer has is reported
// (Odoo's load keeps it): line_missing_in_source.
func TestLinesGoneFromTheSourceAreReported(t *testing.T) {
	f := newFixture(t)
	fake := newFake()
	_, err := f.run(t, fake, Options{})
	require.NoError(t, err)
	lines := strings.Replace(testFiles["lines.csv"], "I4,3,Cap,7\n", "", 1)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "lines.csv"), []byte(lines), 0o600))
	s, err := f.run(t, fake, Options{})
	require.NoError(t, err)
	var gone []string
	for _, e := range s.Entities {
		gone = append(gone, e.LineMissingInSource...)
	}
	require.Equal(t, []string{"ns_test.invoices_I4_3"}, gone)
}

// An update of a document Odoo has since posted is not sent: it would only
// be refused, run after run (locked_in_target, LOAD409).
func TestUpdatesOfPostedDocumentsAreNotSent(t *testing.T) {
	f := newFixture(t)
	fake := newFake()
	_, err := f.run(t, fake, Options{})
	require.NoError(t, err)
	lines := strings.Replace(testFiles["lines.csv"], "I1,2,Nuts,3", "I1,2,Nuts,30", 1)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "lines.csv"), []byte(lines), 0o600))
	loads := fake.loads
	s, err := f.run(t, fake, Options{})
	require.NoError(t, err)
	var inv *EntitySummary
	for _, e := range s.Entities {
		if e.Name == "invoices" {
			inv = e
		}
	}
	require.Equal(t, [5]int64{4, 0, 3, 1, 0}, counts(s)["invoices/1"], "I1 is quarantined, the others are unchanged")
	require.NotNil(t, inv)
	require.Equal(t, loads, fake.loads, "nothing was sent")
	q, err := os.ReadFile(filepath.Join(f.dir, "quarantine", "invoices.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), "LOAD409")
	require.Contains(t, string(q), "account.move is posted in Odoo")
}

// A row a resumed run had loaded before the interruption and that changed
// in the source since is sent again and reported (changed_during_run).
func TestRowsChangedWhileARunWasInterrupted(t *testing.T) {
	f := newFixture(t)
	fake := newFake()
	fake.fail = func(call int) (error, bool) {
		if call == 2 {
			return &odoo.Error{Kind: odoo.KindConcurrency, Message: "could not serialize access due to concurrent update"}, false
		}
		return nil, false
	}
	_, err := f.run(t, fake, Options{})
	require.Error(t, err)
	fake.fail = nil
	customers := strings.Replace(testFiles["customers.csv"], "1,Acme,a@acme.test", "1,Acme Corp,a@acme.test", 1)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "customers.csv"), []byte(customers), 0o600))
	f.reopen(t)
	s, err := f.run(t, fake, Options{})
	require.NoError(t, err)
	require.True(t, s.Resumed)
	require.Equal(t, []string{"ns_test.customers_1"}, s.Entities[0].ChangedDuringRun)
	require.Contains(t, strings.Join(fake.state(), "\n"), "name=Acme Corp")
}

// With replace: on the lines, a line the source no longer has is deleted
// in Odoo after its record loads (lines_removed); the others stay.
func TestLinesGoneFromTheSourceAreDeletedWithReplace(t *testing.T) {
	f := newFixture(t)
	p := strings.Replace(testPlan, "        line_key: line\n", "        line_key: line\n        replace: true\n", 1)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "plan.yaml"), []byte(p), 0o600))
	fake := newFake()
	_, err := f.run(t, fake, Options{})
	require.NoError(t, err)
	require.Contains(t, fake.recs, "ns_test.invoices_I4_3")
	fake.recs["ns_test.invoices_I4"].values["state"] = "draft" // reset in Odoo: open to changes
	lines := strings.Replace(testFiles["lines.csv"], "I4,3,Cap,7\n", "", 1)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "lines.csv"), []byte(lines), 0o600))
	// The fake reads relations back as ids, not as the edit check expects.
	s, err := f.run(t, fake, Options{OverwriteTargetEdits: true})
	require.NoError(t, err)
	var gone, removed []string
	for _, e := range s.Entities {
		gone = append(gone, e.LineMissingInSource...)
		removed = append(removed, e.LinesRemoved...)
	}
	require.Equal(t, [5]int64{4, 1, 3, 0, 0}, counts(s)["invoices/1"], "I4 loaded again, the others unchanged")
	require.Empty(t, gone)
	require.Equal(t, []string{"ns_test.invoices_I4_3"}, removed)
	require.NotContains(t, fake.recs, "ns_test.invoices_I4_3")
	require.Contains(t, fake.recs, "ns_test.invoices_I4_1", "the lines still in the source stay")
}

// A first load of an entity looks up no external IDs batch by batch: one
// probe at the start of the pass finds none of the entity's in the target.
// With its records already there and a ledger that does not know them
// (a lost state directory), each batch looks them up, and the records are
// updated, not created again.
func TestFirstLoadSkipsTheLookupOfExternalIDs(t *testing.T) {
	f := newFixture(t)
	fake := newFake()
	s, err := f.run(t, fake, Options{})
	require.NoError(t, err)
	require.True(t, s.Holds)
	require.Zero(t, fake.lookups, "a fresh target: nothing to look up")
	before := len(fake.recs)

	require.NoError(t, f.store.Close())
	f.store = nil
	require.NoError(t, os.RemoveAll(filepath.Join(f.dir, ".ferry")))
	f.reopen(t)
	s, err = f.run(t, fake, Options{})
	require.NoError(t, err)
	require.True(t, s.Holds)
	require.Positive(t, fake.lookups, "records the ledger does not know are looked up")
	require.Equal(t, before, len(fake.recs), "found, so updated: nothing created twice")
}
