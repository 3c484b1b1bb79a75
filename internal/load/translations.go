package load

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"sync"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// Translations (an entity's translations:) are written after the entity's
// first pass, one ledger step per record (method update_field_translations,
// Before = the SHA-256 of the record's translations), recorded pending
// before the calls. A record gets the step when its translations differ
// from what the last step on it wrote, when that step failed, or when
// this run created it; a resumed run skips the steps it finished. On a
// record the run did not create, the step first reads what the record
// holds in those languages (get_field_translations) and keeps it as its
// image, which rollback writes back. Each
// translated field is one update_field_translations call ({lang: text},
// or false for an empty value: the language then falls back to en_US);
// all of them are idempotent, so a pending step is simply called again.
// A record Odoo refuses is quarantined with Odoo's message (LOAD407) and
// stays loaded; the next run tries it again.

// CodeTranslations is the finding of a record whose translations Odoo
// refused.
const CodeTranslations = "LOAD407"

func init() {
	diag.Codes = append(diag.Codes, diag.Code{Code: CodeTranslations,
		Summary: "Odoo refused the record's translations (update_field_translations); the record is loaded without them"})
}

// TranslationSummary counts an entity's translation steps.
type TranslationSummary struct {
	Written   int64 `json:"written"`
	Unchanged int64 `json:"unchanged"`
	Failed    int64 `json:"failed"`
}

// keptRow is a ready row's translations, kept from the stream until the
// pass ends (with its source row, for the quarantine file).
type keptRow struct {
	tr     map[string]map[string]string
	digest string
	o      pipeline.Outcome
	// updated: the run did not create the record, so the translations it
	// overwrites are read first and kept for rollback (undo.go).
	updated bool
}

// translationState holds the kept rows of the entity pass being loaded.
type translationState struct {
	mu   sync.Mutex
	e    *pipeline.Entity
	rows map[string]*keptRow
}

// keepTranslations remembers a pass-1 ready row's translations.
func (r *runner) keepTranslations(e *pipeline.Entity, o pipeline.Outcome) {
	if e.Pass != 1 || o.Row == nil || len(o.Row.Translations) == 0 {
		return
	}
	ts := &r.trans
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.e != e {
		ts.e, ts.rows = e, map[string]*keptRow{}
	}
	ts.rows[o.Row.ExternalID] = &keptRow{tr: o.Row.Translations, digest: translationDigest(o.Row.Translations),
		o: pipeline.Outcome{Source: o.Source, State: o.State}}
}

// translationDigest is the hex SHA-256 of the translations' JSON (keys
// sorted).
func translationDigest(tr map[string]map[string]string) string {
	b, _ := json.Marshal(tr)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// checkLanguages refuses, before anything is written, a plan whose
// translations need languages the target has not activated.
func (r *runner) checkLanguages(ctx context.Context) error {
	return verify.CheckLanguages(ctx, r.t, r.plan.Languages())
}

// translations writes the translations of the entity pass just loaded.
func (r *runner) translations(ctx context.Context, e *pipeline.Entity, es *EntitySummary) error {
	if e.Pass != 1 || len(e.Plan.Translations) == 0 {
		return nil
	}
	r.trans.mu.Lock()
	kept := r.trans.rows
	if r.trans.e != e {
		kept = nil
	}
	r.trans.e, r.trans.rows = nil, nil
	r.trans.mu.Unlock()
	es.Translations = &TranslationSummary{}
	todo, err := r.translationSteps(ctx, e, es, kept)
	if err != nil {
		return err
	}
	if err := r.st.PutSteps(ctx, todo); err != nil {
		return err
	}
	return r.callTranslations(ctx, e, es, todo, kept)
}

// translationSteps decides, per kept row whose record is in the target,
// whether its translations are written: it returns the pending steps and
// counts the others.
func (r *runner) translationSteps(ctx context.Context, e *pipeline.Entity, es *EntitySummary, kept map[string]*keptRow) ([]ledger.Step, error) {
	rows, err := r.st.Rows(ctx, e.Name, 1)
	if err != nil {
		return nil, err
	}
	last, err := r.st.TranslationSteps(ctx, e.Name)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(kept))
	for k := range kept {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var todo []ledger.Step
	for _, x := range keys {
		row, ok := rows[x]
		if !ok || (row.State != ledger.Loaded && row.State != ledger.Unchanged) || row.OdooID == 0 {
			continue // not in the target: nothing to translate
		}
		d := kept[x].digest
		st, had := last[x]
		same := had && st.Before == d && st.OdooID == row.OdooID
		switch {
		case same && st.RunID == r.run.ID && st.State != ledger.StepPending: // a resumed run: done already
			countTranslation(es, st.State)
		case same && st.State == ledger.StepDone && !(row.Created && row.RunID == r.run.ID):
			es.Translations.Unchanged++
		default:
			kept[x].updated = !(row.Created && row.RunID == r.run.ID)
			todo = append(todo, ledger.Step{RunID: r.run.ID, Entity: e.Name, ExternalID: x, Method: ledger.MethodTranslations,
				OdooID: row.OdooID, Before: d, State: ledger.StepPending})
		}
	}
	return todo, nil
}

func countTranslation(es *EntitySummary, st ledger.StepState) {
	switch st {
	case ledger.StepDone:
		es.Translations.Written++
	case ledger.StepFailed:
		es.Translations.Failed++
	}
}

// callTranslations runs the pending steps with the run's workers.
func (r *runner) callTranslations(ctx context.Context, e *pipeline.Entity, es *EntitySummary, steps []ledger.Step, kept map[string]*keptRow) error {
	var mu sync.Mutex
	var first error
	sem := make(chan struct{}, r.o.Workers)
	var wg sync.WaitGroup
	stopped := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return first != nil
	}
	for _, st := range steps {
		if ctx.Err() != nil || stopped() { // the target failed: the rest stays pending for the resume
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			st, err := r.translate(context.WithoutCancel(ctx), e, st, kept[st.ExternalID])
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
			if err == nil {
				countTranslation(es, st.State)
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// translate writes one record's translations, a call per field, and
// records the step's outcome. Odoo's refusal fails the step (and
// quarantines the row); a failure of the target stops the run.
func (r *runner) translate(ctx context.Context, e *pipeline.Entity, st ledger.Step, k *keptRow) (ledger.Step, error) {
	fields := make([]string, 0, len(k.tr))
	for f := range k.tr {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	if k.updated {
		img, err := r.translationImage(ctx, e.Model, st.OdooID, k.tr, fields)
		var oe *odoo.Error
		switch {
		case errors.As(err, &oe) && !oe.Retryable():
			st.State, st.Message = ledger.StepFailed, "get_field_translations: "+oe.Message
			return st, r.refuseTranslations(ctx, e, st, k)
		case err != nil:
			return st, &StoppedError{Entity: e.Name, Err: err}
		}
		st.Image = img
		if err := r.st.PutSteps(ctx, []ledger.Step{st}); err != nil { // before the first write
			return st, err
		}
	}
	for _, f := range fields {
		vals := map[string]any{}
		for lang, v := range k.tr[f] {
			vals[lang] = v
			if v == "" {
				vals[lang] = false
			}
		}
		_, err := r.t.Execute(ctx, e.Model, ledger.MethodTranslations, []any{[]any{st.OdooID}},
			map[string]any{"field_name": f, "translations": vals})
		var oe *odoo.Error
		switch {
		case err == nil:
			continue
		case errors.As(err, &oe) && !oe.Retryable():
			st.State, st.Message = ledger.StepFailed, f+": "+oe.Message
			return st, r.refuseTranslations(ctx, e, st, k)
		default:
			return st, &StoppedError{Entity: e.Name, Err: err}
		}
	}
	st.State = ledger.StepDone
	return st, r.st.PutSteps(ctx, []ledger.Step{st})
}

// refuseTranslations records a failed step, reports it and quarantines
// the row with Odoo's message.
func (r *runner) refuseTranslations(ctx context.Context, e *pipeline.Entity, st ledger.Step, k *keptRow) error {
	if err := r.st.PutSteps(ctx, []ledger.Step{st}); err != nil {
		return err
	}
	r.events.Emit(progress.RecordRejected{Entity: e.Name, ExternalID: st.ExternalID, Code: CodeTranslations, Message: st.Message})
	d := diag.Diagnostic{Code: CodeTranslations, Severity: diag.Error, Entity: e.Name, ExternalID: st.ExternalID,
		Msg: "the translations were not written: " + st.Message, Hint: "the record is loaded with its en_US values; the next run writes the translations again"}
	if k.o.Source != nil {
		d.Pos = k.o.Source.Pos
	}
	return r.q.write(e, k.o, []diag.Diagnostic{d})
}
