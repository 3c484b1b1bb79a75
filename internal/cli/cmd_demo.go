package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/demo"
	"github.com/ferry-migrate/ferry/internal/load"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/report"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/verify"
)

type demoOptions struct {
	Dir string
}

// demoAdminKey is the demo sandbox's admin API key; empty generates one.
// The secret leak test sets it to know what to look for.
var demoAdminKey string

// demoVersion is the Odoo version the demo plan is written for (its
// products map uom_po_id, which Odoo 19 no longer has).
const demoVersion = 18

func newDemoCmd(g *globalOptions) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Migrate a bundled legacy dataset into the built-in sandbox, verify it, and write the report",
		Long: "demo writes a legacy ERP export (customers, contacts, categories, products, invoices with lines,\n" +
			"with the dirt real exports have) and its plan into --dir, starts the sandbox (an in-process\n" +
			"server that speaks Odoo's protocols), loads the plan, verifies every record, and writes\n" +
			"report.html, report.json and report.md. Each demo starts from an empty sandbox and a fresh ledger.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd.Context(), o, g) },
	}
	cmd.Flags().StringVar(&o.Dir, "dir", "ferry-demo", "directory for the demo plan, data, state and reports")
	return cmd
}

func runDemo(ctx context.Context, o *demoOptions, g *globalOptions) error {
	d, err := startDemo(ctx, g, o.Dir, demoVersion, 0)
	if err != nil {
		return err
	}
	defer d.close()
	fmt.Fprintf(g.stdout, "sandbox answering as Odoo %d at %s; plan and data in %s\n\n", demoVersion, d.sb.URL, o.Dir)
	if err := d.load(ctx); err != nil {
		return err
	}
	if err := printRun(g.stdout, d.sum, d.sb.URL+" (sandbox)"); err != nil {
		return err
	}
	if err := d.verify(ctx); err != nil {
		return err
	}
	fmt.Fprintln(g.stdout)
	printVerify(g.stdout, d.results, 10)
	rep := verifyReport(d.p, d.client, d.results, d.started)
	rep.Kind, rep.Title, rep.Target.Sandbox = "run", "Demo migration of "+d.p.Name, true
	addCounts(rep, d.sum)
	if err := d.evidence(ctx, rep); err != nil {
		return err
	}
	state := filepath.Join(d.dir, ".ferry")
	if err := auditVerify(ctx, state, d.p, rep); err != nil { // the log has the verification too
		return err
	}
	// in the directory, and where ferry report finds a run's report
	for _, dir := range []string{o.Dir, filepath.Join(state, "reports", "run-"+d.sum.RunID)} {
		if err := writeReports(dir, rep); err != nil {
			return err
		}
	}
	fmt.Fprintf(g.stdout, "\nreport: %s (also report.json, report.md)\n", filepath.Join(o.Dir, "report.html"))
	return demoExit(d.sum, rep)
}

// demoRun is one demo migration: files, sandbox, plan, then load and
// verify, each timed.
type demoRun struct {
	g                    *globalOptions
	dir                  string
	workers              int
	sb                   *sandbox.Server
	p                    *plan.Plan
	t                    *targetOptions
	client               *odoo.Client
	started              time.Time
	sum                  *load.Summary
	results              *verify.Verification
	loadTook, verifyTook time.Duration
}

// startDemo writes the demo files into dir, starts a fresh sandbox and
// configures it as an integrator would.
func startDemo(ctx context.Context, g *globalOptions, dir string, version, workers int) (*demoRun, error) {
	if err := writeDemoFiles(dir); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(filepath.Join(dir, ".ferry")); err != nil { // a fresh sandbox needs a fresh ledger
		return nil, err
	}
	sb, err := sandbox.New(sandbox.Options{Version: version, Database: "demo", AdminKey: demoAdminKey})
	if err != nil {
		return nil, err
	}
	d := &demoRun{g: g, dir: dir, workers: workers, sb: sb, started: time.Now(),
		t: &targetOptions{URL: sb.URL, DB: sb.Database(), Login: "admin", Timeout: time.Minute, apiKey: secret.New(sb.AdminKey())}}
	if d.p, err = loadPlan(filepath.Join(dir, demo.PlanName), g); err == nil {
		err = configureDemoTarget(ctx, g, d.t)
	}
	if err != nil {
		sb.Close()
		return nil, err
	}
	return d, nil
}

func (d *demoRun) close() { d.sb.Close() }

func (d *demoRun) load(ctx context.Context) error {
	lv, err := prepareLive(ctx, d.g, d.t, d.p, nil)
	if err != nil {
		return err
	}
	defer lv.pipeline.Close()
	d.client = lv.client
	st, err := openLedger(ctx, d.g, filepath.Join(d.dir, ".ferry"))
	if err != nil {
		return err
	}
	defer st.Close()
	t0 := time.Now()
	d.sum, err = load.Run(ctx, lv.pipeline, lv.client, st, load.Options{Workers: d.workers, Quarantine: filepath.Join(d.dir, "quarantine"),
		Events: progress.SinkFunc(func(progress.Event) {})})
	d.loadTook = time.Since(t0)
	return err
}

// evidence records the run in the demo's audit log and completes the
// report with sources, context, quarantined rows and the audit head.
func (d *demoRun) evidence(ctx context.Context, rep *report.Report) error {
	state := filepath.Join(d.dir, ".ferry")
	inputs, err := inputDigests(d.p)
	if err != nil {
		return err
	}
	st, err := openLedger(ctx, d.g, state)
	if err != nil {
		return err
	}
	defer st.Close()
	cp, err := auditRun(ctx, state, st, d.p, d.sb.URL+" (sandbox)", inputs, d.sum, "none (demo sandbox)")
	if err != nil {
		return err
	}
	return runEvidence(ctx, rep, d.p, st, d.sum, cp)
}

func (d *demoRun) verify(ctx context.Context) error {
	vp, err := prepareLive(ctx, d.g, d.t, d.p, nil) // a pipeline streams once: verify prepares its own
	if err != nil {
		return err
	}
	defer vp.pipeline.Close()
	t0 := time.Now()
	d.results, err = verify.Run(ctx, vp.pipeline, vp.client, verify.Options{Exclude: d.p.Verify.Exclude})
	d.verifyTook = time.Since(t0)
	return err
}

// configureDemoTarget does what an integrator does before a migration:
// activate the currencies the legacy data uses (a fresh database has only
// the company's).
func configureDemoTarget(ctx context.Context, g *globalOptions, t *targetOptions) error {
	c, err := t.dial(ctx, g, nil)
	if err != nil {
		return err
	}
	for _, a := range []struct{ what, model, field string }{
		{"EUR and CHF (a fresh database has only the company's currency)", "res.currency", "name"},
		{"French (Belgium) for the catalogue's translations", "res.lang", "code"},
	} {
		values := map[string][]any{"res.currency": {"EUR", "CHF"}, "res.lang": {"fr_BE"}}[a.model]
		ids, err := c.Search(ctx, a.model, odoo.Domain{[]any{a.field, "in", values}, []any{"active", "=", false}}, odoo.Page{})
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			continue
		}
		fmt.Fprintf(g.stdout, "target set-up: activating %s\n", a.what)
		if err := c.Write(ctx, a.model, ids, map[string]any{"active": true}); err != nil {
			return err
		}
	}
	return nil
}

// addCounts puts the loader's per-entity counts into the report.
func addCounts(rep *report.Report, sum *load.Summary) {
	byName := map[string]*report.Entity{}
	for i := range rep.Entities {
		byName[rep.Entities[i].Name] = &rep.Entities[i]
	}
	for _, e := range sum.Entities {
		if re := byName[e.Name]; re != nil && e.Pass == 1 {
			re.Counts = progress.Counts{Read: e.Read, Loaded: e.Loaded, Unchanged: e.Unchanged, Quarantined: e.Quarantined, Skipped: e.Skipped}
		}
	}
}

func demoExit(sum *load.Summary, rep *report.Report) error {
	if !sum.Holds {
		return Exit(ExitIntegrity, fmt.Errorf("read = loaded + unchanged + quarantined + skipped does not hold"))
	}
	if rep.Result != "ok" {
		return Exit(ExitDifferences, fmt.Errorf("verification found differences"))
	}
	return nil
}

// writeDemoFiles copies the bundled plan and data into dir.
func writeDemoFiles(dir string) error {
	return fs.WalkDir(demo.Files(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := fs.ReadFile(demo.Files(), path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600) // export files: only their owner reads them
	})
}
