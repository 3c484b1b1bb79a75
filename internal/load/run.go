package load

import (
	"context"
	"errors"
	"time"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// Options configure Run.
type Options struct {
	// Workers is how many batches of one entity pass are in flight at
	// once (default: the plan's load.workers, else 2).
	Workers int
	// BatchSize is the number of records per load call (default: the
	// entity's batch_size, the plan's load.batch_size, else 500, reached
	// from 200 as Odoo answers).
	BatchSize int
	// Quarantine is the directory of the <entity>.csv quarantine files;
	// empty writes none.
	Quarantine string
	// Force resumes an unfinished run even though the plan changed.
	Force bool
	// Inputs are the digests of the sources' content, recorded in the run.
	Inputs map[string]string
	// Events receives progress events; nil discards them.
	Events progress.Sink
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OverwriteTargetEdits updates records even when someone changed them
	// in Odoo since an earlier run wrote them (else they are quarantined
	// as changed_in_target).
	OverwriteTargetEdits bool
	// CallTarget is how long one load call should take; batch sizes adapt
	// to it (default DefaultCallTarget).
	CallTarget time.Duration
}

// DefaultBatchSize and DefaultWorkers apply when neither the options nor
// the plan say; a default-sized pass starts at DefaultFirstBatch records
// a call and grows as Odoo answers. (Against a real Odoo 18 with two
// workers, calls of 500 partners gave 1.7–1.8× a plain sequential client
// where calls of 200 gave 1.5×: docs/BENCHMARKS.md.)
const (
	DefaultBatchSize  = 500
	DefaultFirstBatch = 200
	DefaultWorkers    = 2
)

// runner is one Run call's state.
type runner struct {
	pl     *pipeline.Pipeline
	plan   *plan.Plan
	t      Target
	st     *ledger.Store
	o      Options
	run    *ledger.Run
	events progress.Sink
	ctx    map[string]any
	q      *quarantines
	imd    imdState
	edits  *editFinder
	trans  translationState // translations kept from the pass being loaded (translations.go)
	recon  reconState       // documents to reconcile with, per entity (reconcile.go)
}

// Run loads every entity pass of pl into t in load order, then runs the
// after-load actions, keeping st in step. It resumes the plan's unfinished
// run if there is one (a changed plan is refused without Options.Force).
// The Summary is returned even with an error. Errors: a context error when
// interrupted (batches in flight are finished and recorded first), a
// *StoppedError when the target fails, an *IntegrityError when the
// identity does not hold, a *ledger.PlanChangedError, or a ledger error.
func Run(ctx context.Context, pl *pipeline.Pipeline, t Target, st *ledger.Store, o Options) (*Summary, error) {
	r := newRunner(pl, t, st, o)
	start := r.o.Now()
	p := pl.Plan()
	s := &Summary{Plan: p.Name, Digest: p.Digest, Namespace: p.Namespace, Ledger: st.Path(), Context: r.ctx, Holds: true}
	if err := r.checkLanguages(ctx); err != nil {
		return s, err
	}
	run, err := st.Begin(ctx, p.Name, p.Digest, o.Inputs, o.Force, start)
	if err != nil {
		return s, err
	}
	r.run, s.RunID, s.Resumed = run, run.ID, run.Resumed
	r.events.Emit(progress.RunStarted{RunID: run.ID, Command: "run", Plan: p.Name, At: start})
	err = r.entities(ctx, s)
	if err == nil {
		err = r.afterLoad(ctx, s)
	}
	if err == nil {
		err = r.reconcile(ctx, s)
	}
	if qerr := r.q.close(s); err == nil {
		err = qerr
	}
	s.Took = r.o.Now().Sub(start)
	return s, r.finish(ctx, s, err)
}

func newRunner(pl *pipeline.Pipeline, t Target, st *ledger.Store, o Options) *runner {
	p := pl.Plan()
	if o.Workers <= 0 {
		o.Workers = p.Load.Workers
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Events == nil {
		o.Events = progress.Discard
	}
	return &runner{pl: pl, plan: p, t: t, st: st, o: o, events: o.Events, ctx: loadContext(p.Load),
		q: newQuarantines(o.Quarantine), edits: &editFinder{check: verify.Checker{T: t}, exclude: p.Verify.Exclude}}
}

// loadContext is the context of every load call: tracking disabled unless
// the plan says otherwise, created external IDs noupdate, then the plan's
// own keys.
func loadContext(lo plan.LoadOptions) map[string]any {
	c := map[string]any{"tracking_disable": true, "noupdate": true}
	if lo.TrackingDisable != nil {
		c["tracking_disable"] = *lo.TrackingDisable
	}
	for k, v := range lo.Context {
		c[k] = v
	}
	return c
}

func (r *runner) entities(ctx context.Context, s *Summary) error {
	for _, e := range r.pl.Entities() {
		es, err := r.pass(ctx, e)
		if es != nil {
			s.Entities = append(s.Entities, es)
		}
		if err != nil {
			return err
		}
		if !es.Holds {
			s.Holds = false
			return &IntegrityError{Entity: es.Name, Pass: es.Pass, Read: es.Read,
				Sum: es.Loaded + es.Unchanged + es.Quarantined + es.Skipped}
		}
		if err := r.translations(ctx, e, es); err != nil {
			return err
		}
	}
	return nil
}

// finish records the run's status and emits RunFinished.
func (r *runner) finish(ctx context.Context, s *Summary, err error) error {
	status, result := ledger.StatusDone, "ok"
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		status, result = ledger.StatusInterrupted, "interrupted"
	case err != nil:
		status, result = ledger.StatusFailed, "failed"
	case partial(s):
		result = "partial"
	}
	s.Result = result
	ferr := r.st.Finish(context.WithoutCancel(ctx), r.run.ID, status, r.o.Now())
	r.events.Emit(progress.RunFinished{RunID: r.run.ID, Result: result, Took: s.Took})
	if ferr == nil {
		return err
	}
	return errors.Join(err, ferr)
}

func partial(s *Summary) bool {
	for _, e := range s.Entities {
		if e.Quarantined > 0 || (e.AfterLoad != nil && e.AfterLoad.Failed > 0) || (e.Translations != nil && e.Translations.Failed > 0) ||
			(e.Reconcile != nil && e.Reconcile.Failed > 0) {
			return true
		}
	}
	return false
}
