package load

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/progress"
)

// afterLoad runs each entity's after_load method on the records this run
// loaded (not on unchanged ones), one record per call so that one refusal
// does not block the others. Each call is a ledger step, pending before
// the call; a resumed run skips done and failed steps, and counts a
// pending step done when the record's state moved since it was recorded.
func (r *runner) afterLoad(ctx context.Context, s *Summary) error {
	for _, es := range s.Entities {
		pe := r.plan.Entity(es.Name)
		if es.Pass != 1 || pe == nil || pe.AfterLoad == "" {
			continue
		}
		es.AfterLoad = &StepSummary{Method: pe.AfterLoad}
		if err := r.steps(ctx, es, pe.AfterLoad); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) steps(ctx context.Context, es *EntitySummary, method string) error {
	rows, err := r.st.Rows(ctx, es.Name, 1)
	if err != nil {
		return err
	}
	prev, err := r.st.Steps(ctx, r.run.ID, es.Name)
	if err != nil {
		return err
	}
	var todo []ledger.Step
	for _, row := range sortedRows(rows) {
		if row.RunID != r.run.ID || row.State != ledger.Loaded || row.OdooID == 0 {
			continue
		}
		st, ok := prev[row.Key]
		if !ok {
			st = ledger.Step{RunID: r.run.ID, Entity: es.Name, ExternalID: row.Key, Method: method, OdooID: row.OdooID, State: ledger.StepPending}
		}
		todo = append(todo, st)
	}
	states, err := r.states(ctx, es.Model, todo)
	if err != nil {
		return &StoppedError{Entity: es.Name, Err: err}
	}
	var fresh []ledger.Step
	for i := range todo {
		if _, ok := prev[todo[i].ExternalID]; !ok {
			todo[i].Before = states[todo[i].OdooID]
			fresh = append(fresh, todo[i])
		}
	}
	if err := r.st.PutSteps(ctx, fresh); err != nil {
		return err
	}
	return r.callSteps(ctx, es, todo, states)
}

func sortedRows(m map[string]ledger.Row) []ledger.Row {
	out := make([]ledger.Row, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// states reads the state field of the records, when the model has one.
func (r *runner) states(ctx context.Context, model string, steps []ledger.Step) (map[int64]string, error) {
	out := map[int64]string{}
	var ids []int64
	for _, st := range steps {
		if st.State == ledger.StepPending {
			ids = append(ids, st.OdooID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := r.t.Read(ctx, model, ids, []string{"state"})
	var oe *odoo.Error
	if errors.As(err, &oe) && !oe.Retryable() {
		return out, nil // no state field: no guard
	}
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		s, _ := rec["state"].(string)
		out[asID(rec["id"])] = s
	}
	return out, nil
}

// callSteps calls the pending steps with the run's workers.
func (r *runner) callSteps(ctx context.Context, es *EntitySummary, steps []ledger.Step, states map[int64]string) error {
	var mu sync.Mutex
	var first error
	sem := make(chan struct{}, r.o.Workers)
	var wg sync.WaitGroup
	for _, st := range steps {
		if st.State != ledger.StepPending {
			mu.Lock()
			count(es, st.State)
			mu.Unlock()
			continue
		}
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			st, err := r.step(context.WithoutCancel(ctx), es, st, states)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
			if err == nil {
				count(es, st.State)
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

func count(es *EntitySummary, st ledger.StepState) {
	switch st {
	case ledger.StepDone:
		es.AfterLoad.Done++
	case ledger.StepFailed:
		es.AfterLoad.Failed++
	}
}

// step calls the method on one record and records the outcome. A pending
// step whose record left the state it had before is already done.
func (r *runner) step(ctx context.Context, es *EntitySummary, st ledger.Step, states map[int64]string) (ledger.Step, error) {
	if st.Before != "" && states[st.OdooID] != "" && states[st.OdooID] != st.Before {
		st.State = ledger.StepDone
		return st, r.st.PutSteps(ctx, []ledger.Step{st})
	}
	_, err := r.t.Execute(ctx, es.Model, st.Method, []any{[]any{st.OdooID}}, nil)
	var oe *odoo.Error
	switch {
	case err == nil:
		st.State = ledger.StepDone
	case errors.As(err, &oe) && !oe.Retryable():
		st.State, st.Message = ledger.StepFailed, oe.Message
		r.events.Emit(progress.RecordRejected{Entity: es.Name, ExternalID: st.ExternalID, Code: CodeAfterLoad, Message: oe.Message})
	default:
		return st, &StoppedError{Entity: es.Name, Err: err}
	}
	return st, r.st.PutSteps(ctx, []ledger.Step{st})
}
