package load

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/progress"
)

// item is one ready row on its way to Odoo.
type item struct {
	o       pipeline.Outcome
	key     string
	fp      string
	enc     *Encoded
	prev    ledger.Row
	hasPrev bool
	// exists is the record's id when it exists before the send (0 = new);
	// createdHere says this run created it in an earlier, unanswered send.
	exists      int64
	createdHere bool
	// noImage: the record was created by this run (pass 2 of a record
	// pass 1 created), so rollback removes it and needs no image.
	noImage bool
	// gone holds, per one2many field, the lines an earlier run wrote that
	// the source row no longer has.
	gone map[string][]string
}

// passRun is one entity pass.
type passRun struct {
	r      *runner
	e      *pipeline.Entity
	es     *EntitySummary
	prev   map[string]ledger.Row
	pass1  map[string]ledger.Row
	enc    *Encoder
	sizer  *sizer
	extra  map[string]any
	groups map[string][]*item

	mu      sync.Mutex // guards es counts and seq
	seq     int64
	seen    map[string]bool // ledger keys of the rows read in this pass
	buf     []ledger.Row    // terminal rows reached without a batch
	done    map[string]int
	jobs    chan []*item
	stop    chan struct{}
	errOnce sync.Once
	err     error
	att     *attachState // the files directory of a pass that sends files (attachments.go)
	// fresh: no record of the model carried one of the entity's external
	// IDs when the pass began (lookup.go), so its batches need not look
	// up the records the ledger does not know.
	fresh bool
}

// errStopped ends Stream when a worker failed; the worker's error is
// reported instead.
var errStopped = errors.New("load: stopped")

func (r *runner) pass(ctx context.Context, e *pipeline.Entity) (*EntitySummary, error) {
	start := r.o.Now()
	es := &EntitySummary{Name: e.Name, Model: e.Model, Pass: e.Pass, Links: e.Links}
	p, err := r.newPass(ctx, e, es)
	if err != nil {
		return es, err
	}
	r.events.Emit(progress.EntityStarted{Entity: e.Name, Model: e.Model, Total: -1})
	var wg sync.WaitGroup
	for range r.o.Workers {
		wg.Go(func() { p.work(ctx) })
	}
	serr := r.pl.Stream(ctx, e, func(o pipeline.Outcome) error { return p.outcome(ctx, o) })
	if serr == nil {
		serr = p.flushGroups(ctx)
	}
	close(p.jobs)
	wg.Wait()
	p.closeAttachments()
	err = p.result(ctx, serr)
	if err == nil && e.Pass == 1 {
		err = r.missingInSource(ctx, p)
	}
	es.Complete = err == nil
	es.Holds = es.holds()
	es.BatchSize, es.SmallestBatch = p.sizer.Size(), p.sizer.Least()
	es.Took = r.o.Now().Sub(start)
	r.events.Emit(progress.EntityFinished{Entity: e.Name, Took: es.Took, Counts: progress.Counts{Read: es.Read,
		Loaded: es.Loaded, Unchanged: es.Unchanged, Quarantined: es.Quarantined, Skipped: es.Skipped}})
	return es, err
}

func (r *runner) newPass(ctx context.Context, e *pipeline.Entity, es *EntitySummary) (*passRun, error) {
	prev, err := r.st.Rows(ctx, e.Name, e.Pass)
	if err != nil {
		return nil, err
	}
	seq, err := r.st.NextSeq(ctx, r.run.ID, e.Name, e.Pass)
	if err != nil {
		return nil, err
	}
	p := &passRun{r: r, e: e, es: es, prev: prev, enc: NewEncoder(e.Plan.KeepTargetWhenEmpty), sizer: r.sizer(e),
		extra: r.ctx, groups: map[string][]*item{}, seq: seq - 1, done: map[string]int{},
		jobs: make(chan []*item), stop: make(chan struct{})}
	if e.Plan.UpdateMany2many {
		p.extra = withKey(p.extra, "update_many2many", true)
	}
	if ids := r.pl.CompanyContext(e.Name); ids != nil { // the entity's company is Odoo's current company
		p.extra = withKey(p.extra, "allowed_company_ids", ids)
	}
	if e.Model == "res.users" { // no invitation mail to anyone (checked on Odoo 18)
		p.extra = withKey(p.extra, "no_reset_password", true)
	}
	if e.Model == "stock.quant" { // counted quantities, applied by action_apply_inventory
		p.extra = withKey(p.extra, "inventory_mode", true)
	}
	p.extra = attachmentContext(e.Model, p.extra)
	if e.Pass == 2 {
		if p.pass1, err = r.st.Rows(ctx, e.Name, 1); err != nil {
			return nil, err
		}
	}
	if p.fresh, err = r.fresh(ctx, e); err != nil {
		return nil, err
	}
	return p, nil
}

// sizer sizes the pass's batches: the configured batch size from the
// start, or the default reached from DefaultFirstBatch.
func (r *runner) sizer(e *pipeline.Entity) *sizer {
	for _, n := range []int{r.o.BatchSize, e.Plan.BatchSize, r.plan.Load.BatchSize} {
		if n > 0 {
			return newSizer(n, n, r.o.CallTarget)
		}
	}
	return newSizer(DefaultBatchSize, DefaultFirstBatch, r.o.CallTarget)
}

func withKey(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// result decides the pass's error: a worker's failure wins over the
// stream's errStopped; buffered ledger rows are written either way.
func (p *passRun) result(ctx context.Context, serr error) error {
	perr := p.flushRows(context.WithoutCancel(ctx))
	if p.err != nil {
		return p.err
	}
	if serr != nil && !errors.Is(serr, errStopped) {
		return serr
	}
	return perr
}

// fail records the first worker error and stops the stream.
func (p *passRun) fail(err error) {
	p.errOnce.Do(func() {
		p.err = err
		close(p.stop)
	})
}

// outcome handles one pipeline outcome on the streaming goroutine.
func (p *passRun) outcome(ctx context.Context, o pipeline.Outcome) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-p.stop:
		return errStopped
	default:
	}
	p.mu.Lock()
	p.es.Read++
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[rowKey(o)] = true
	p.mu.Unlock()
	switch {
	case o.State == pipeline.Skipped:
		return p.terminal(ctx, o, ledger.Skipped, skipMessage(o))
	case o.State == pipeline.Quarantined || o.Row == nil:
		if p.e.Pass == 1 {
			if err := p.r.q.write(p.e, o, nil); err != nil {
				return err
			}
		}
		return p.terminal(ctx, o, ledger.Quarantined, findingsMessage(o.Findings))
	}
	return p.ready(ctx, o)
}

func skipMessage(o pipeline.Outcome) string {
	if o.SkipRule == "" {
		return "skipped in pass 1"
	}
	return "skip rule " + o.SkipRule + ": " + o.Reason
}

func findingsMessage(ds []diag.Diagnostic) string {
	var parts []string
	for _, d := range ds {
		if d.Severity >= diag.Error {
			parts = append(parts, d.Code+": "+d.Msg)
		}
	}
	if len(parts) == 0 {
		return "quarantined in pass 1"
	}
	return strings.Join(parts, "; ")
}

// rowKey is the ledger key of an outcome: its external ID, else one from
// its findings, else its position. A row refused as a duplicate key is
// keyed by its position: its external ID belongs to the row that was kept.
func rowKey(o pipeline.Outcome) string {
	if isDuplicate(o) && o.Source != nil {
		return "@" + o.Source.Pos.String()
	}
	if o.Row != nil && o.Row.ExternalID != "" {
		return o.Row.ExternalID
	}
	for _, d := range o.Findings {
		if d.ExternalID != "" {
			return d.ExternalID
		}
	}
	if o.Source != nil {
		return "@" + o.Source.Pos.String()
	}
	return "@?"
}

// terminal records a row that reaches its state without a batch.
func (p *passRun) terminal(ctx context.Context, o pipeline.Outcome, st ledger.State, msg string) error {
	key := rowKey(o)
	row := ledger.Row{Entity: p.e.Name, Pass: p.e.Pass, Key: key, State: st, Message: msg, RunID: p.r.run.ID}
	if o.Row != nil {
		row.ExternalID, row.SourceKey = o.Row.ExternalID, o.Row.Key
	}
	p.mu.Lock()
	switch st {
	case ledger.Skipped:
		p.es.Skipped++
	case ledger.Quarantined:
		p.es.Quarantined++
	case ledger.Unchanged:
		p.es.Unchanged++
	case ledger.Loaded:
		p.es.Loaded++
	}
	p.mu.Unlock()
	if prev, ok := p.prev[key]; ok && prev == row {
		return p.countDone(st)
	}
	p.buf = append(p.buf, row)
	if len(p.buf) >= 500 {
		if err := p.flushRows(ctx); err != nil {
			return err
		}
	}
	return p.countDone(st)
}

// countDone counts a row that reached its state on the streaming
// goroutine, for the next RowDone events.
func (p *passRun) countDone(st ledger.State) error {
	p.done[string(st)]++
	return nil
}

// flushRows writes the buffered terminal rows and reports them.
func (p *passRun) flushRows(ctx context.Context) error {
	err := p.r.st.Put(ctx, p.buf)
	p.buf = p.buf[:0]
	for _, st := range sortedStates(p.done) {
		p.r.events.Emit(progress.RowDone{Entity: p.e.Name, State: st, N: p.done[st]})
	}
	clear(p.done)
	return err
}

func sortedStates(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ready decides whether a ready row is sent, and batches it.
func (p *passRun) ready(ctx context.Context, o pipeline.Outcome) error {
	key := o.Row.ExternalID
	p.r.keepTranslations(p.e, o)
	p.r.keepReconcile(p.e, o)
	if p.e.Pass == 2 {
		if p1, ok := p.pass1[key]; !ok || (p1.State != ledger.Loaded && p1.State != ledger.Unchanged) {
			return p.terminal(ctx, o, ledger.Quarantined, CodeNotLoaded+": the row was not loaded in pass 1, its links are not written")
		}
	}
	it := &item{o: o, key: key, fp: Fingerprint(o.Row)}
	it.prev, it.hasPrev = p.prev[key]
	if done, err := p.unchanged(ctx, it); done || err != nil {
		return err
	}
	if it.hasPrev && it.prev.RunID == p.r.run.ID && it.prev.State == ledger.Loaded && it.prev.Fingerprint != it.fp {
		p.mu.Lock() // loaded earlier in this (resumed) run, and the source row changed since
		p.es.ChangedDuringRun = append(p.es.ChangedDuringRun, it.key)
		p.mu.Unlock()
	}
	enc, err := p.enc.Encode(o.Row)
	if err != nil {
		if p.e.Pass == 1 {
			if err := p.r.q.write(p.e, o, []diag.Diagnostic{p.finding(it, CodeMixedRefs, err.Error())}); err != nil {
				return err
			}
		}
		return p.terminal(ctx, o, ledger.Quarantined, CodeMixedRefs+": "+err.Error())
	}
	it.enc = enc
	sig := enc.Signature()
	if err := p.byteBound(ctx, sig, it); err != nil {
		return err
	}
	p.groups[sig] = append(p.groups[sig], it)
	if len(p.groups[sig]) >= p.sizer.Size() {
		b := p.groups[sig]
		delete(p.groups, sig)
		return p.dispatch(ctx, b)
	}
	return nil
}

// unchanged handles a row the ledger holds as loaded with the same
// fingerprint: an earlier run's row becomes unchanged; this run's row (a
// resumed run) keeps its state, so the summary equals an uninterrupted
// run's.
func (p *passRun) unchanged(ctx context.Context, it *item) (bool, error) {
	pr := it.prev
	if !it.hasPrev || pr.Fingerprint != it.fp || (pr.State != ledger.Loaded && pr.State != ledger.Unchanged) {
		return false, nil
	}
	if pr.RunID == p.r.run.ID {
		p.mu.Lock()
		if pr.State == ledger.Loaded {
			p.es.Loaded++
			p.countLoaded(pr.Created)
		} else {
			p.es.Unchanged++
		}
		p.mu.Unlock()
		return true, p.countDone(pr.State)
	}
	row := ledger.Row{Entity: p.e.Name, Pass: p.e.Pass, Key: it.key, ExternalID: it.key, SourceKey: it.o.Row.Key,
		Fingerprint: it.fp, State: ledger.Unchanged, OdooID: pr.OdooID, RunID: p.r.run.ID}
	p.mu.Lock()
	p.es.Unchanged++
	p.mu.Unlock()
	p.buf = append(p.buf, row)
	if len(p.buf) >= 500 {
		if err := p.flushRows(ctx); err != nil {
			return true, err
		}
	}
	return true, p.countDone(ledger.Unchanged)
}

// countLoaded splits loaded rows; p.mu must be held.
func (p *passRun) countLoaded(created bool) {
	if created {
		p.es.Created++
	} else {
		p.es.Updated++
	}
}

// flushGroups sends the partial batches left at the end of the stream,
// in a stable order.
func (p *passRun) flushGroups(ctx context.Context) error {
	sigs := make([]string, 0, len(p.groups))
	for s := range p.groups {
		sigs = append(sigs, s)
	}
	sort.Strings(sigs)
	for _, s := range sigs {
		if err := p.dispatch(ctx, p.groups[s]); err != nil {
			return err
		}
		delete(p.groups, s)
	}
	return nil
}

// dispatch hands a batch to a worker, waiting while all are busy.
func (p *passRun) dispatch(ctx context.Context, b []*item) error {
	b, err := p.guardEdits(ctx, b)
	if err != nil || len(b) == 0 {
		return err
	}
	if b, err = p.materialize(ctx, b); err != nil || len(b) == 0 {
		return err
	}
	select {
	case p.jobs <- b:
		return nil
	case <-p.stop:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// work sends batches until the stream ends or a batch fails. A batch in
// flight when ctx is cancelled is finished and recorded (first Ctrl-C).
func (p *passRun) work(ctx context.Context) {
	for b := range p.jobs {
		if ctx.Err() != nil || p.stopped() {
			continue // drain: these were never marked sent
		}
		if err := p.send(context.WithoutCancel(ctx), b); err != nil {
			p.fail(&StoppedError{Entity: p.e.Name, Err: err})
		}
	}
}

func (p *passRun) stopped() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

func (p *passRun) finding(it *item, code, msg string) diag.Diagnostic {
	d := diag.Diagnostic{Code: code, Severity: diag.Error, Entity: p.e.Name, ExternalID: it.key, Msg: msg}
	if it.o.Source != nil {
		d.Pos = it.o.Source.Pos
	}
	return d
}

// isDuplicate reports a row quarantined because another row has its key.
func isDuplicate(o pipeline.Outcome) bool {
	for _, d := range o.Findings {
		if d.Code == "MAP202" && d.Severity >= diag.Error {
			return true
		}
	}
	return false
}

// missingInSource lists the rows an earlier run loaded that the source no
// longer has, and archives their records when the plan says on_delete:
// archive (never deletes them), keeping their before-images for rollback.
func (r *runner) missingInSource(ctx context.Context, p *passRun) error {
	var keys []string
	var ids []any
	xmlids := map[int64]string{}
	for k, row := range p.prev {
		if p.seen[k] || strings.HasPrefix(k, "@") || (row.State != ledger.Loaded && row.State != ledger.Unchanged) {
			continue
		}
		keys = append(keys, k)
		if row.OdooID != 0 {
			ids = append(ids, row.OdooID)
			xmlids[row.OdooID] = k
		}
	}
	sort.Strings(keys)
	p.es.MissingInSource = keys
	if len(ids) == 0 || p.e.Plan.OnDelete != "archive" {
		return nil
	}
	if err := r.archive(ctx, p, ids, xmlids); err != nil { // undo.go
		return fmt.Errorf("load: archive the %d %s record(s) gone from the source: %w", len(ids), p.e.Name, err)
	}
	p.es.Archived = int64(len(ids))
	return nil
}
