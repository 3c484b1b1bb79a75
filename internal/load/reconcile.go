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
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Reconciliation (an entity's reconcile:, full_history accounting) runs
// after every entity's after-load actions, so the payments and the
// invoices they pay are posted. For each record of the entity this run
// loaded or found unchanged whose row names documents, the loader reads
// the receivable and payable journal items of the record (a payment's
// entry, or the entry itself) and of the documents, and:
//
//   - leaves the record alone when its items already share a partial
//     reconciliation with every document's (an earlier run did it:
//     unchanged; this run, before an interruption: done);
//   - refuses, with a message, a record or document that is not posted (19
//     would reconcile drafts, 18 refuses: Ferry reconciles posted entries
//     only, on both) or not loaded, or whose items are all reconciled
//     already (elsewhere);
//   - else calls account.move.line reconcile on the record's open items and
//     the documents' (Odoo matches them oldest first; a partial payment
//     leaves the invoice partial), and reads back the partials that now
//     join them.
//
// Each call is a ledger step (method reconcile, Before a
// ledger.ReconcileImage), written pending before the call and done with
// the partials after, so rollback can delete them. Odoo's refusal
// ("Entries are not from the same account: …") fails the step, reports
// the record (LOAD410) in the entity's quarantine file with the message,
// and leaves it loaded; the next run tries again. Records that share a
// document are reconciled one after the other (two payments of one
// invoice), the others with the run's workers.
//
// Odoo 18 and 19 answer reconcile with None (odoo.NoValue); see
// internal/contract TestPaymentsReconcileWithInvoices for what they do.

// CodeReconcile is the finding of a record that was not reconciled.
const CodeReconcile = "LOAD410"

func init() {
	diag.Codes = append(diag.Codes, diag.Code{Code: CodeReconcile,
		Summary: "the record was not reconciled with the documents its reconcile: names (not posted, not loaded, already reconciled, or refused by Odoo); it stays loaded"})
}

// ReconcileSummary counts an entity's reconciliations; Refused lists the
// failed ones with their reason, in key order.
type ReconcileSummary struct {
	Done      int64              `json:"done"`
	Unchanged int64              `json:"unchanged"`
	Failed    int64              `json:"failed"`
	Refused   []ReconcileRefusal `json:"refused,omitempty"`
}

// ReconcileRefusal is a record this run did not reconcile, and why.
type ReconcileRefusal struct {
	ExternalID string `json:"xmlid"`
	Message    string `json:"message"`
}

// keptRecon is a ready row's documents, kept until the reconciliation.
type keptRecon struct {
	docs []record.Ref
	o    pipeline.Outcome
}

// reconState holds the kept documents per entity.
type reconState struct {
	mu   sync.Mutex
	rows map[string]map[string]*keptRecon
}

// keepReconcile remembers a pass-1 ready row's documents.
func (r *runner) keepReconcile(e *pipeline.Entity, o pipeline.Outcome) {
	if e.Pass != 1 || o.Row == nil || len(o.Row.Reconcile) == 0 {
		return
	}
	rs := &r.recon
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.rows == nil {
		rs.rows = map[string]map[string]*keptRecon{}
	}
	if rs.rows[e.Name] == nil {
		rs.rows[e.Name] = map[string]*keptRecon{}
	}
	rs.rows[e.Name][o.Row.ExternalID] = &keptRecon{docs: o.Row.Reconcile, o: pipeline.Outcome{Source: o.Source, State: o.State}}
}

var reconAccountTypes = []any{"asset_receivable", "liability_payable"}

// reconLineFields are the journal item fields the reconciliation reads.
var reconLineFields = []string{"move_id", "account_id", "reconciled", "matched_debit_ids", "matched_credit_ids"}

// docRef is a document as the ledger knows it.
type docRef struct {
	model  string
	id     int64
	loaded bool
}

// target is a record or document: its entry and what it is called.
type reconTarget struct {
	label string // external ID, or "id:<n>"
	model string
	id    int64
	name  string // Odoo's name (INV/2023/00001)
	state string
	move  int64
	fail  string // why it cannot be reconciled
}

func (t *reconTarget) display() string {
	if t.name != "" && t.name != t.label {
		return t.name + " (" + t.label + ")"
	}
	return t.label
}

type reconJob struct {
	xmlid string
	rec   *reconTarget
	docs  []*reconTarget
	kept  *keptRecon
	step  ledger.Step
	had   bool // a step of this run exists (pending: the run was interrupted)
	// refused is why the reconciliation failed ("" when it did not).
	refused string
}

// reconcile reconciles the records of every entity with a reconcile:.
func (r *runner) reconcile(ctx context.Context, s *Summary) error {
	var docs map[string]docRef
	for _, e := range r.pl.Entities() {
		if e.Pass != 1 || e.Plan.Reconcile == nil {
			continue
		}
		var es *EntitySummary
		for _, x := range s.Entities {
			if x.Name == e.Name && x.Pass == 1 {
				es = x
			}
		}
		if es == nil {
			continue
		}
		if docs == nil {
			var err error
			if docs, err = r.reconcileDocs(ctx); err != nil {
				return err
			}
		}
		es.Reconcile = &ReconcileSummary{}
		if err := r.reconcileEntity(ctx, e, es, docs); err != nil {
			return err
		}
	}
	return nil
}

// reconcileDocs indexes, from the ledger, the records of the plan's
// account.move and account.payment entities by external ID.
func (r *runner) reconcileDocs(ctx context.Context) (map[string]docRef, error) {
	out := map[string]docRef{}
	for _, pe := range r.plan.Entities {
		if pe.Model != "account.move" && pe.Model != "account.payment" {
			continue
		}
		rows, err := r.st.Rows(ctx, pe.Name, 1)
		if err != nil {
			return nil, err
		}
		for k, row := range rows {
			out[k] = docRef{model: pe.Model, id: row.OdooID, loaded: row.OdooID != 0 && (row.State == ledger.Loaded || row.State == ledger.Unchanged)}
		}
	}
	return out, nil
}

func (r *runner) reconcileEntity(ctx context.Context, e *pipeline.Entity, es *EntitySummary, docs map[string]docRef) error {
	r.recon.mu.Lock()
	kept := r.recon.rows[e.Name]
	delete(r.recon.rows, e.Name)
	r.recon.mu.Unlock()
	rows, err := r.st.Rows(ctx, e.Name, 1)
	if err != nil {
		return err
	}
	prev, err := r.st.ReconcileSteps(ctx, r.run.ID, e.Name)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(kept))
	for k := range kept {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var jobs []*reconJob
	for _, x := range keys {
		row, ok := rows[x]
		if !ok || row.OdooID == 0 || (row.State != ledger.Loaded && row.State != ledger.Unchanged) {
			continue // not in the target
		}
		st, had := prev[x]
		if had && st.State != ledger.StepPending { // a resumed run: finished already
			countRecon(es, st.State)
			if st.State == ledger.StepFailed {
				es.Reconcile.Refused = append(es.Reconcile.Refused, ReconcileRefusal{ExternalID: x, Message: st.Message})
			}
			continue
		}
		job := &reconJob{xmlid: x, kept: kept[x], step: st, had: had,
			rec: &reconTarget{label: x, model: e.Model, id: row.OdooID}}
		for _, d := range kept[x].docs {
			job.docs = append(job.docs, docTarget(d, docs))
		}
		jobs = append(jobs, job)
	}
	const chunk = 200
	for i := 0; i < len(jobs); i += chunk {
		if err := r.reconcileChunk(ctx, e, es, jobs[i:min(i+chunk, len(jobs))]); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

func docTarget(d record.Ref, docs map[string]docRef) *reconTarget {
	if d.ExternalID == "" {
		return &reconTarget{label: fmt.Sprintf("id:%d", d.ID), model: "account.move", id: d.ID}
	}
	t := &reconTarget{label: d.ExternalID}
	ref, ok := docs[d.ExternalID]
	if !ok || !ref.loaded {
		t.fail = d.ExternalID + " was not loaded"
		return t
	}
	t.model, t.id = ref.model, ref.id
	return t
}

func countRecon(es *EntitySummary, st ledger.StepState) {
	switch st {
	case ledger.StepDone:
		es.Reconcile.Done++
	case ledger.StepFailed:
		es.Reconcile.Failed++
	}
}

// reconcileChunk reads the records' and documents' entries, then
// reconciles the records, groups of records sharing a document one after
// the other.
func (r *runner) reconcileChunk(ctx context.Context, e *pipeline.Entity, es *EntitySummary, jobs []*reconJob) error {
	var targets []*reconTarget
	for _, j := range jobs {
		targets = append(targets, j.rec)
		targets = append(targets, j.docs...)
	}
	if err := r.readTargets(ctx, targets); err != nil {
		return &StoppedError{Entity: e.Name, Err: err}
	}
	var mu sync.Mutex
	var first error
	sem := make(chan struct{}, r.o.Workers)
	var wg sync.WaitGroup
	stopped := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return first != nil
	}
	for _, group := range reconGroups(jobs) {
		if ctx.Err() != nil || stopped() { // the target failed: the rest stays for the resume
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			for _, j := range group {
				st, err := r.reconcileOne(context.WithoutCancel(ctx), e, j)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if err == nil {
					switch {
					case st == "unchanged":
						es.Reconcile.Unchanged++
					default:
						countRecon(es, ledger.StepState(st))
					}
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, j := range jobs {
		if j.refused != "" {
			es.Reconcile.Refused = append(es.Reconcile.Refused, ReconcileRefusal{ExternalID: j.xmlid, Message: j.refused})
		}
	}
	sort.Slice(es.Reconcile.Refused, func(a, b int) bool { return es.Reconcile.Refused[a].ExternalID < es.Reconcile.Refused[b].ExternalID })
	if first != nil {
		return first
	}
	return ctx.Err()
}

// reconGroups puts the jobs that share a document's entry in one group,
// in key order.
func reconGroups(jobs []*reconJob) [][]*reconJob {
	parent := make([]int, len(jobs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	byMove := map[int64]int{}
	for i, j := range jobs {
		for _, d := range j.docs {
			if d.move == 0 {
				continue
			}
			if k, ok := byMove[d.move]; ok {
				parent[find(i)] = find(k)
			} else {
				byMove[d.move] = i
			}
		}
	}
	var order []int
	groups := map[int][]*reconJob{}
	for i, j := range jobs {
		g := find(i)
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], j)
	}
	out := make([][]*reconJob, 0, len(order))
	for _, g := range order {
		out = append(out, groups[g])
	}
	return out
}

// readTargets reads the state, name and entry of the records and
// documents, per model in one call.
func (r *runner) readTargets(ctx context.Context, targets []*reconTarget) error {
	byModel := map[string]map[int64][]*reconTarget{}
	for _, t := range targets {
		if t.fail != "" || t.id == 0 {
			continue
		}
		if byModel[t.model] == nil {
			byModel[t.model] = map[int64][]*reconTarget{}
		}
		byModel[t.model][t.id] = append(byModel[t.model][t.id], t)
	}
	models := make([]string, 0, len(byModel))
	for m := range byModel {
		models = append(models, m)
	}
	sort.Strings(models)
	for _, model := range models {
		fields := []string{"name", "state"}
		if model == "account.payment" {
			fields = append(fields, "move_id")
		}
		recs, err := r.t.Read(ctx, model, odoo.SortedIDs(byModel[model]), fields)
		if err != nil {
			return err
		}
		found := map[int64]map[string]any{}
		for _, rec := range recs {
			found[asID(rec["id"])] = rec
		}
		for id, ts := range byModel[model] {
			for _, t := range ts {
				rec, ok := found[id]
				if !ok {
					t.fail = t.label + " is no longer in Odoo"
					continue
				}
				t.name, _ = rec["name"].(string)
				t.state, _ = rec["state"].(string)
				t.move = id
				if model == "account.payment" {
					t.move = asID(rec["move_id"])
				}
				if t.state != "posted" && (model == "account.move" || t.move == 0 || t.state == "draft") {
					t.fail = fmt.Sprintf("%s is not posted (state %s): Ferry reconciles posted entries only", t.display(), t.state)
				}
			}
		}
	}
	// a payment's entry must be posted too
	var moves []int64
	for _, t := range targets {
		if t.fail == "" && t.model == "account.payment" && t.move != 0 {
			moves = append(moves, t.move)
		}
	}
	if len(moves) == 0 {
		return nil
	}
	recs, err := r.t.Read(ctx, "account.move", moves, []string{"state"})
	if err != nil {
		return err
	}
	state := map[int64]string{}
	for _, rec := range recs {
		state[asID(rec["id"])], _ = rec["state"].(string)
	}
	for _, t := range targets {
		if t.fail == "" && t.model == "account.payment" && state[t.move] != "posted" {
			t.fail = fmt.Sprintf("%s is not posted (its journal entry is %s): Ferry reconciles posted entries only", t.display(), state[t.move])
		}
	}
	return nil
}

// reconLine is a receivable or payable journal item.
type reconLine struct {
	id, move, account int64
	reconciled        bool
	partials          []int64
}

// lines reads the receivable and payable journal items of the entries.
func (r *runner) reconLines(ctx context.Context, moves []int64) (map[int64][]reconLine, error) {
	dom := odoo.Domain{[]any{"move_id", "in", idsAny(moves)}, []any{"account_type", "in", reconAccountTypes}}
	recs, err := r.t.SearchRead(ctx, "account.move.line", dom, reconLineFields, odoo.Page{})
	if err != nil {
		return nil, err
	}
	out := map[int64][]reconLine{}
	for _, rec := range recs {
		l := reconLine{id: asID(rec["id"]), move: asID(rec["move_id"]), account: asID(rec["account_id"])}
		l.reconciled, _ = rec["reconciled"].(bool)
		for _, f := range []string{"matched_debit_ids", "matched_credit_ids"} {
			list, _ := rec[f].([]any)
			for _, v := range list {
				l.partials = append(l.partials, asID(v))
			}
		}
		out[l.move] = append(out[l.move], l)
	}
	for _, ls := range out {
		sort.Slice(ls, func(i, j int) bool { return ls[i].id < ls[j].id })
	}
	return out, nil
}

func idsAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// shared lists the partials joining the record's items to a document's.
func shared(rec, doc []reconLine) []int64 {
	mine := map[int64]bool{}
	for _, l := range rec {
		for _, p := range l.partials {
			mine[p] = true
		}
	}
	var out []int64
	for _, l := range doc {
		for _, p := range l.partials {
			if mine[p] {
				out = append(out, p)
			}
		}
	}
	return out
}

// reconcileOne reconciles one record; it returns the step's outcome
// ("done", "failed") or "unchanged". An error stops the run.
func (r *runner) reconcileOne(ctx context.Context, e *pipeline.Entity, j *reconJob) (string, error) {
	with := make([]string, len(j.docs))
	for i, d := range j.docs {
		with[i] = d.label
	}
	st := j.step
	if !j.had {
		st = ledger.Step{RunID: r.run.ID, Entity: e.Name, ExternalID: j.xmlid, Method: ledger.MethodReconcile, OdooID: j.rec.id}
	}
	st.Before = ledger.ReconcileImage{With: with}.Encode()
	for _, t := range append([]*reconTarget{j.rec}, j.docs...) {
		if t.fail != "" {
			return r.refuseReconcile(ctx, e, j, st, t.fail)
		}
	}
	moves := []int64{j.rec.move}
	for _, d := range j.docs {
		moves = append(moves, d.move)
	}
	lines, err := r.reconLines(ctx, moves)
	if err != nil {
		return "", &StoppedError{Entity: e.Name, Err: err}
	}
	var pending []*reconTarget
	var parts []int64
	for _, d := range j.docs {
		if p := shared(lines[j.rec.move], lines[d.move]); len(p) > 0 {
			parts = append(parts, p...)
		} else {
			pending = append(pending, d)
		}
	}
	if len(pending) == 0 {
		if !j.had {
			return "unchanged", nil // an earlier run reconciled it
		}
		return r.reconciled(ctx, st, parts) // this run did, before an interruption
	}
	var ids []any
	for _, t := range append([]*reconTarget{j.rec}, pending...) {
		n := len(ids)
		ids = openItems(ids, lines[t.move])
		if len(ids) == n {
			return r.refuseReconcile(ctx, e, j, st, fmt.Sprintf("%s is reconciled in full already (with other entries)", t.display()))
		}
	}
	st.State = ledger.StepPending
	if err := r.st.PutSteps(ctx, []ledger.Step{st}); err != nil {
		return "", err
	}
	_, err = r.t.Execute(ctx, "account.move.line", "reconcile", []any{ids}, nil)
	var oe *odoo.Error
	switch {
	case errors.As(err, &oe) && !oe.Retryable():
		return r.refuseReconcile(ctx, e, j, st, oe.Message)
	case err != nil:
		return "", &StoppedError{Entity: e.Name, Err: err}
	}
	after, err := r.reconLines(ctx, moves)
	if err != nil {
		return "", &StoppedError{Entity: e.Name, Err: err}
	}
	parts = parts[:0]
	var left []string
	for _, d := range j.docs {
		p := shared(after[j.rec.move], after[d.move])
		if len(p) == 0 {
			left = append(left, d.display())
		}
		parts = append(parts, p...)
	}
	if len(left) > 0 {
		return r.refuseReconcile(ctx, e, j, st, "Odoo reconciled nothing with "+strings.Join(left, ", "))
	}
	return r.reconciled(ctx, st, parts)
}

// openItems appends to ids the items of lines not reconciled yet.
func openItems(ids []any, lines []reconLine) []any {
	for _, l := range lines {
		if !l.reconciled {
			ids = append(ids, l.id)
		}
	}
	return ids
}

// reconciled records a done step with the partials that join the record
// to its documents.
func (r *runner) reconciled(ctx context.Context, st ledger.Step, parts []int64) (string, error) {
	im, _ := ledger.DecodeReconcileImage(st.Before)
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	im.Partials = parts
	st.Before, st.State, st.Message = im.Encode(), ledger.StepDone, ""
	return string(ledger.StepDone), r.st.PutSteps(ctx, []ledger.Step{st})
}

// refuseReconcile records a failed step, reports it and quarantines the
// row with the reason.
func (r *runner) refuseReconcile(ctx context.Context, e *pipeline.Entity, j *reconJob, st ledger.Step, msg string) (string, error) {
	st.State, st.Message = ledger.StepFailed, msg
	if err := r.st.PutSteps(ctx, []ledger.Step{st}); err != nil {
		return "", err
	}
	j.refused = msg
	r.events.Emit(progress.RecordRejected{Entity: e.Name, ExternalID: j.xmlid, Code: CodeReconcile, Message: msg})
	d := diag.Diagnostic{Code: CodeReconcile, Severity: diag.Error, Entity: e.Name, ExternalID: j.xmlid, Field: "reconcile.with",
		Msg: "not reconciled: " + msg, Hint: "the record stays loaded, unreconciled; the next run tries again"}
	if j.kept.o.Source != nil {
		d.Pos = j.kept.o.Source.Pos
	}
	return string(ledger.StepFailed), r.q.write(e, j.kept.o, []diag.Diagnostic{d})
}
