package pipeline

import (
	"fmt"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// An entity's reconcile: with expression names, per row, the documents the
// row's record is reconciled with once loaded (plan.Reconcile). It is
// evaluated with the row's fields (row, out, key) in pass 1 and converted
// like a many2many's value: ref() to a row the plan loads (else VAL314,
// as for any reference) of an account.move or account.payment entity,
// lookup() to an account.move in the target (VAL306 for other models).
// The loader does the reconciliation (internal/load/reconcile.go).

const reconcileField = "reconcile.with"

// compileReconcile compiles the entity's reconcile: expression.
func (p *Pipeline) compileReconcile(e *plan.Entity) *mapping.Program {
	if e.Reconcile == nil {
		return nil
	}
	prog, err := p.comp.Compile(e.Reconcile.With)
	if err != nil {
		p.planFinding(diag.Error, "MAP200", e.Reconcile.Pos, e.Name, reconcileField, err.Error(), "")
		return nil
	}
	return prog
}

// evalReconcile evaluates a pass-1 row's reconcile: expression.
func (r *streamRun) evalReconcile(w *work, env map[string]any) {
	if r.e.Pass != 1 || r.c.recon == nil {
		return
	}
	v, err := r.runner.Run(r.c.recon, env)
	if err != nil {
		r.fromErr(w, w.out.Source.Pos, reconcileField, err)
		return
	}
	w.recon = v
}

// buildReconcile converts the evaluated documents to references; an empty
// value (or list item) names none.
func (r *streamRun) buildReconcile(w *work) []record.Ref {
	if w.recon == nil {
		return nil
	}
	list, ok := w.recon.([]any)
	if !ok {
		list = []any{w.recon}
	}
	c := &converter{r: r, w: w, pos: w.out.Source.Pos, field: reconcileField}
	kept := make([]any, 0, len(list))
	for _, v := range list {
		if mapping.Empty(v) {
			continue
		}
		if model, ok := reconcileModel(r.p.plan, v); !ok {
			c.fail("VAL306", fmt.Sprintf("reconcile: with names a %s record: Ferry reconciles with invoices, bills and entries (account.move, by ref() or lookup()) or payments (account.payment, by ref())", model),
				`name the documents the record settles: ref("invoices", row.invoice)`)
			continue
		}
		kept = append(kept, v)
	}
	if len(kept) == 0 {
		return nil
	}
	refs, _ := c.many2many(kept, &validate.Field{Type: "many2many"}).([]record.Ref)
	return refs
}

// reconcileModel says whether a ref() or lookup() value may be reconciled
// with, and the model it points at: a row of an account.move or
// account.payment entity, or a database id of an account.move (the loader
// takes lookups' ids as journal entries). Other values are left to the
// conversion.
func reconcileModel(p *plan.Plan, v any) (string, bool) {
	switch x := v.(type) {
	case mapping.RefValue:
		if e := p.Entity(x.Entity); e != nil {
			return e.Model, e.Model == "account.move" || e.Model == "account.payment"
		}
	case mapping.LookupValue:
		return x.Model, x.Model == "account.move"
	}
	return "", true
}
