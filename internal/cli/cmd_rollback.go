package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/rollback"
	"github.com/ferry-migrate/ferry/internal/secret"
)

type rollbackOptions struct {
	target targetOptions
	Run    string
	DryRun bool
	Force  bool
}

func newRollbackCmd(g *globalOptions) *cobra.Command {
	o := &rollbackOptions{}
	cmd := &cobra.Command{
		Use:   "rollback PLAN",
		Short: "Undo a run: delete what it created, write back what it updated",
		Long: "rollback reads the run's ledger (default: the latest run of the plan) and undoes it in reverse\n" +
			"load order: records the run created are deleted (posted documents are reset to draft first),\n" +
			"records it updated get the values they had before the run. --dry-run lists the actions and\n" +
			"changes nothing. Records someone changed in Odoo after the run wrote them are refused unless\n" +
			"--force. Records Odoo refuses to delete or change are listed; restore those from the\n" +
			"backup taken before the run. A completed rollback marks the run rolled_back in the ledger.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runRollback(cmd.Context(), o, g, args[0]) },
	}
	o.target.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.Run, "run", "", "run id (default: the latest run of the plan)")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "list what would be undone, change nothing")
	cmd.Flags().BoolVar(&o.Force, "force", false, "also undo records someone changed in Odoo after the run wrote them")
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
	order, err := loadOrder(ctx, p)
	if err != nil {
		return err
	}
	rp, err := rollback.Build(ctx, st, run.ID, order)
	if err != nil {
		return err
	}
	if o.DryRun || g.JSON {
		if err := printRollbackPlan(g, rp); err != nil || o.DryRun {
			return err
		}
	}
	c, err := o.target.dial(ctx, g, &p.Target)
	if err != nil {
		return err
	}
	res, err := rollback.Apply(ctx, c, rp, rollback.Options{Force: o.Force, Exclude: p.Verify.Exclude})
	if err != nil {
		return err
	}
	result := "ok"
	if len(res.Refused) > 0 {
		result = "partial"
	}
	if _, err := recordAudit(ctx, stateDir(g, p), audit.Event{Action: audit.ActionRollback, RunID: run.ID, Plan: p.Name,
		Target: secret.RedactURL(c.URLString()), Digests: map[string]string{"plan": p.Digest}, Result: result,
		Details: map[string]any{"deleted": res.Deleted, "restored": res.Restored, "refused": len(res.Refused)}}); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "rollback of run %s: %d deleted, %d restored, %d refused\n", run.ID, res.Deleted, res.Restored, len(res.Refused))
	for _, r := range res.Refused {
		fmt.Fprintf(g.stdout, "  refused %s %s (%s id %d): %v\n", r.Action.Kind, r.Action.ExternalID, r.Action.Model, r.Action.ID, r.Err)
	}
	if len(res.Refused) > 0 {
		return Exit(ExitPartial, fmt.Errorf("%d record(s) could not be undone: restore them from the backup taken before the run", len(res.Refused)))
	}
	return st.Finish(ctx, run.ID, ledger.StatusRolledBack, time.Now())
}

// pickRun returns the named run, or the plan's latest that is not rolled back.
func pickRun(ctx context.Context, st *ledger.Store, plan, id string) (*ledger.Run, error) {
	if id != "" {
		return st.Run(ctx, id)
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

func printRollbackPlan(g *globalOptions, rp *rollback.Plan) error {
	if g.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rp)
	}
	return printActions(g.stdout, rp)
}

func printActions(w io.Writer, rp *rollback.Plan) error {
	counts := map[string]int{}
	for _, a := range rp.Actions {
		counts[a.Entity+" "+string(a.Kind)]++
	}
	fmt.Fprintf(w, "rollback of run %s would:\n", rp.Run)
	for _, k := range sortedCounts(counts) {
		fmt.Fprintf(w, "  %s\n", k)
	}
	for i, a := range rp.Actions {
		if i == 20 {
			fmt.Fprintf(w, "  … %d more (--json lists all)\n", len(rp.Actions)-20)
			break
		}
		draft := ""
		if a.Draft {
			draft = " (reset to draft first)"
		}
		fmt.Fprintf(w, "  %s %s %s id %d%s\n", a.Kind, a.ExternalID, a.Model, a.ID, draft)
	}
	return nil
}
