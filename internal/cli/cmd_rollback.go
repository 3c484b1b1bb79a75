package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/rollback"
	"github.com/ferry-migrate/ferry/internal/secret"
)

type rollbackOptions struct {
	target    targetOptions
	Run       string
	DryRun    bool
	Force     bool
	WithLater bool
}

func newRollbackCmd(g *globalOptions) *cobra.Command {
	o := &rollbackOptions{}
	cmd := &cobra.Command{
		Use:   "rollback PLAN",
		Short: "Undo a run: delete what it created, write back what it updated",
		Long: "rollback reads the run's ledger (default: the latest run of the plan) and undoes it in reverse\n" +
			"load order: records the run created are deleted (posted documents are reset to draft first),\n" +
			"records it updated get the values and translations they had before the run, and records it\n" +
			"archived because their source rows were gone (on_delete: archive) are unarchived. A run that\n" +
			"stopped before Odoo's answer to a batch was recorded may have created that batch's records:\n" +
			"they are looked up by external ID (in ir.model.data, else one by one) and deleted if they\n" +
			"exist. --dry-run lists the actions and changes nothing. Records someone changed in Odoo after\n" +
			"the run wrote them are refused unless --force. Records Odoo refuses to delete or change are\n" +
			"listed; restore those from the backup taken before the run. A completed rollback marks the run\n" +
			"rolled_back in the ledger and puts the ledger's rows back as the run before left them, so the\n" +
			"next run loads them again.\n\n" +
			"It refuses on purpose to undo a run (--run) that later runs of the same plan built on: they\n" +
			"updated what it wrote and took its ledger rows over, so undoing it alone would leave the target\n" +
			"neither as it was before the run nor as the later runs left it. The refusal names the later runs;\n" +
			"--with-later undoes them first, newest first, then the run, so the target returns to its state\n" +
			"before the run. A run whose undo has refusals stops there: the runs before it are not touched,\n" +
			"and the command can be repeated once the refusals are dealt with.\n\n" +
			"EXIT STATUS\n" +
			"  0  every run undone\n" +
			"  2  usage error, no run to roll back, or the run is already rolled back\n" +
			"  4  records were refused (listed); the run stays as it is in the ledger\n" +
			"  6  later runs built on the run (use --with-later), or the ledger no longer knows the run in full",
		Example: "  ferry rollback plan.yaml --dry-run\n" +
			"  ferry rollback plan.yaml --run r20260102T150405Z-1a2b3c4d --with-later",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runRollback(cmd.Context(), o, g, args[0]) },
	}
	o.target.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.Run, "run", "", "run id (default: the latest run of the plan)")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "list what would be undone, change nothing")
	cmd.Flags().BoolVar(&o.Force, "force", false, "also undo records someone changed in Odoo after the run wrote them")
	cmd.Flags().BoolVar(&o.WithLater, "with-later", false, "also undo the later runs of the plan that built on the run, newest first")
	return cmd
}

func runRollback(ctx context.Context, o *rollbackOptions, g *globalOptions, path string) error {
	p, err := loadPlan(path, g)
	if err != nil {
		return err
	}
	st, err := openLedger(ctx, g, stateDir(g, p))
	if err != nil {
		return err
	}
	defer st.Close()
	run, err := pickRun(ctx, st, p.Name, o.Run)
	if err != nil {
		return err
	}
	runs, err := rollback.Chain(ctx, st, run.ID, o.WithLater)
	if errors.Is(err, rollback.ErrRolledBack) {
		return Usage(err)
	}
	if err != nil {
		return err
	}
	order, err := loadOrder(ctx, p)
	if err != nil {
		return err
	}
	plans := make([]*rollback.Plan, len(runs))
	for i, r := range runs {
		if plans[i], err = rollback.Build(ctx, st, r.ID, order); err != nil {
			return err
		}
	}
	if o.DryRun || g.JSON {
		if err := printRollbackPlans(g, run.ID, runs, plans, o.WithLater); err != nil || o.DryRun {
			return err
		}
	}
	c, err := o.target.dial(ctx, g, &p.Target)
	if err != nil {
		return err
	}
	rc := &rollbackChain{st: st, c: c, p: p, g: g, o: o, requested: run.ID, runs: runs}
	return rc.apply(ctx, plans)
}

// rollbackChain undoes runs (newest first) one after the other.
type rollbackChain struct {
	st        *ledger.Store
	c         *odoo.Client
	p         *plan.Plan
	g         *globalOptions
	o         *rollbackOptions
	requested string
	runs      []ledger.Run
}

// apply undoes each run in turn: audited, printed, and marked rolled back
// (its ledger rows put back) before the next, older one starts. A run with
// refusals stops the chain: the older runs' undo assumes it is complete.
func (rc *rollbackChain) apply(ctx context.Context, plans []*rollback.Plan) error {
	if len(rc.runs) > 1 {
		fmt.Fprintf(rc.g.stdout, "rolling back run %s with %d later run(s), newest first: %s\n",
			rc.requested, len(rc.runs)-1, strings.Join(chainIDs(rc.runs), ", "))
	}
	for i, r := range rc.runs {
		record := func(ctx context.Context, a rollback.Action) error {
			return rc.st.MarkUndone(ctx, r.ID, a.Undone(), time.Now())
		}
		res, err := rollback.Apply(ctx, rc.c, plans[i], rollback.Options{Force: rc.o.Force, Exclude: rc.p.Verify.Exclude, Record: record})
		if err != nil {
			return err
		}
		if err := rc.audit(ctx, r.ID, res); err != nil {
			return err
		}
		unarchived := ""
		if res.Unarchived > 0 {
			unarchived = fmt.Sprintf("%d unarchived, ", res.Unarchived)
		}
		if res.Unreconciled > 0 {
			unarchived += fmt.Sprintf("%d unreconciled, ", res.Unreconciled)
		}
		fmt.Fprintf(rc.g.stdout, "rollback of run %s: %d deleted, %d restored, %s%d refused\n", r.ID, res.Deleted, res.Restored, unarchived, len(res.Refused))
		for _, n := range res.Notes {
			fmt.Fprintf(rc.g.stdout, "  note: %s\n", n)
		}
		for _, f := range res.Refused {
			fmt.Fprintf(rc.g.stdout, "  refused %s %s (%s id %d): %v\n", f.Action.Kind, f.Action.ExternalID, f.Action.Model, f.Action.ID, f.Err)
		}
		if len(res.Refused) > 0 {
			return rc.stopped(i, len(res.Refused))
		}
		if err := rc.st.MarkRolledBack(ctx, r.ID, time.Now()); err != nil {
			return err
		}
	}
	if len(rc.runs) > 1 {
		fmt.Fprintf(rc.g.stdout, "rolled back %d runs: %s\n", len(rc.runs), strings.Join(chainIDs(rc.runs), ", "))
	}
	return nil
}

// audit appends one entry per run undone, naming the run the command was
// asked to undo and the whole chain.
func (rc *rollbackChain) audit(ctx context.Context, runID string, res *rollback.Result) error {
	result := "ok"
	if len(res.Refused) > 0 {
		result = "partial"
	}
	details := map[string]any{"deleted": res.Deleted, "restored": res.Restored, "unarchived": res.Unarchived, "unreconciled": res.Unreconciled, "refused": len(res.Refused)}
	if len(rc.runs) > 1 {
		details["requested_run"] = rc.requested
		details["runs"] = chainIDs(rc.runs)
	}
	_, err := recordAudit(ctx, stateDir(rc.g, rc.p), audit.Event{Action: audit.ActionRollback, RunID: runID, Plan: rc.p.Name,
		Target: secret.RedactURL(rc.c.URLString()), Digests: map[string]string{"plan": rc.p.Digest}, Result: result, Details: details})
	return err
}

// stopped reports a chain stopped at run i by refusals.
func (rc *rollbackChain) stopped(i, refused int) error {
	if i+1 < len(rc.runs) {
		fmt.Fprintf(rc.g.stdout, "stopped: run %s is not fully undone, so the older run(s) %s were not touched\n",
			rc.runs[i].ID, strings.Join(chainIDs(rc.runs[i+1:]), ", "))
	}
	if i > 0 {
		fmt.Fprintf(rc.g.stdout, "rolled back %d run(s): %s\n", i, strings.Join(chainIDs(rc.runs[:i]), ", "))
	}
	return Exit(ExitPartial, fmt.Errorf("%d record(s) of run %s could not be undone: restore them from the backup taken before the run, "+
		"or deal with the refusals and roll back again", refused, rc.runs[i].ID))
}

func chainIDs(runs []ledger.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.ID
	}
	return out
}

// pickRun returns the named run, or the plan's latest that is not rolled back.
func pickRun(ctx context.Context, st *ledger.Store, plan, id string) (*ledger.Run, error) {
	if id != "" {
		r, err := st.Run(ctx, id)
		if err == nil && r.Plan != plan {
			err = Usage(fmt.Errorf("run %s is a run of plan %s, not of %s", id, r.Plan, plan))
		}
		return r, err
	}
	runs, err := st.Runs(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		if r.Plan == plan && r.Status != ledger.StatusRolledBack {
			return &r, nil
		}
	}
	return nil, Usage(errors.New("the ledger has no run of this plan to roll back"))
}

// loadOrder is the plan's load order (the pipeline's, offline).
func loadOrder(ctx context.Context, p *plan.Plan) ([]rollback.Entity, error) {
	pl, err := pipeline.Prepare(ctx, p, pipeline.Options{})
	if err != nil {
		return nil, err
	}
	defer pl.Close()
	var out []rollback.Entity
	seen := map[string]bool{}
	for _, e := range pl.Entities() {
		if !seen[e.Name] {
			seen[e.Name] = true
			out = append(out, rollback.Entity{Name: e.Name, Model: e.Model})
		}
	}
	return out, nil
}

// rollbackChainPlan is what --json prints with --with-later: the run asked
// for and the plans of every run undone, in order.
type rollbackChainPlan struct {
	Run  string           `json:"run"`
	Runs []*rollback.Plan `json:"runs"`
}

// printRollbackPlans prints the plans: one run's plan as it always was,
// with --with-later the chain.
func printRollbackPlans(g *globalOptions, requested string, runs []ledger.Run, plans []*rollback.Plan, withLater bool) error {
	if g.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		if withLater {
			return enc.Encode(rollbackChainPlan{Run: requested, Runs: plans})
		}
		return enc.Encode(plans[0])
	}
	if len(runs) > 1 {
		fmt.Fprintf(g.stdout, "rolling back run %s undoes %d later run(s) first, newest first: %s\n",
			requested, len(runs)-1, strings.Join(chainIDs(runs), ", "))
	}
	for _, rp := range plans {
		if err := printActions(g.stdout, rp); err != nil {
			return err
		}
	}
	return nil
}

func printActions(w io.Writer, rp *rollback.Plan) error {
	counts := map[string]int{}
	for _, a := range rp.Actions {
		k := a.Entity + " " + string(a.Kind)
		if a.Unconfirmed {
			k += " if it exists"
		}
		counts[k]++
	}
	fmt.Fprintf(w, "rollback of run %s would:\n", rp.Run)
	if len(rp.Done) > 0 {
		fmt.Fprintf(w, "  (%d action(s) an earlier rollback of this run carried out before it stopped are done and not listed)\n", len(rp.Done))
	}
	for _, k := range sortedCounts(counts) {
		fmt.Fprintf(w, "  %s\n", k)
	}
	for i, a := range rp.Actions {
		if i == 20 {
			fmt.Fprintf(w, "  … %d more (--json lists all)\n", len(rp.Actions)-20)
			break
		}
		fmt.Fprintf(w, "  %s\n", describeAction(a))
	}
	return nil
}

// describeAction is one line of a rollback plan.
func describeAction(a rollback.Action) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", a.Kind, a.ExternalID, a.Model)
	if a.Unconfirmed {
		b.WriteString(" if it exists (the run stopped before Odoo's answer to its batch was recorded: the external ID is looked up first)")
	} else {
		fmt.Fprintf(&b, " id %d", a.ID)
	}
	if a.Draft {
		b.WriteString(" (reset to draft first)")
	}
	if a.MaybePosted {
		b.WriteString(" (reset to draft first if Odoo shows it posted: the answer to its posting was lost)")
	}
	var parts []string
	if a.Kind == rollback.Unarchive {
		for _, f := range sortedFields(a.Values) {
			parts = append(parts, fmt.Sprintf("%s back to %v", f, a.Values[f]))
		}
	}
	for _, f := range sortedFields(a.Translations) {
		parts = append(parts, "translations of "+f+" ("+strings.Join(sortedFields(a.Translations[f].Langs), ", ")+")")
	}
	if len(parts) > 0 {
		b.WriteString(": " + strings.Join(parts, ", "))
	}
	return b.String()
}

func sortedFields[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
