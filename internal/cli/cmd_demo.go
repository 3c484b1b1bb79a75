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
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/load"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/report"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/verify"
)

type demoOptions struct {
	Dir     string
	Version int
}

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
	cmd.Flags().IntVar(&o.Version, "odoo", 18, "Odoo version the sandbox answers as: 18 or 19")
	return cmd
}

func runDemo(ctx context.Context, o *demoOptions, g *globalOptions) error {
	if err := writeDemoFiles(o.Dir); err != nil {
		return err
	}
	sb, err := sandbox.New(sandbox.Options{Version: o.Version, Database: "demo"})
	if err != nil {
		return err
	}
	defer sb.Close()
	fmt.Fprintf(g.stdout, "sandbox answering as Odoo %d at %s; plan and data in %s\n\n", o.Version, sb.URL, o.Dir)
	p, err := loadPlan(filepath.Join(o.Dir, demo.PlanName), g)
	if err != nil {
		return err
	}
	t := &targetOptions{URL: sb.URL, DB: sb.Database(), Login: "admin", Timeout: time.Minute, apiKey: secret.New(sb.AdminKey())}
	if err := configureDemoTarget(ctx, g, t); err != nil {
		return err
	}
	lv, err := prepareLive(ctx, g, t, p, nil)
	if err != nil {
		return err
	}
	defer lv.pipeline.Close()
	state := filepath.Join(o.Dir, ".ferry")
	if err := os.RemoveAll(state); err != nil { // a fresh sandbox needs a fresh ledger
		return err
	}
	st, err := ledger.Open(ctx, state)
	if err != nil {
		return err
	}
	defer st.Close()
	started := time.Now()
	sum, err := load.Run(ctx, lv.pipeline, lv.client, st, load.Options{Quarantine: filepath.Join(o.Dir, "quarantine"), Events: progress.SinkFunc(func(progress.Event) {})})
	if err != nil {
		return err
	}
	if err := printRun(g.stdout, sum, sb.URL+" (sandbox)"); err != nil {
		return err
	}
	vp, err := prepareLive(ctx, g, t, p, nil) // a pipeline streams once: verify prepares its own
	if err != nil {
		return err
	}
	defer vp.pipeline.Close()
	results, err := verify.Run(ctx, vp.pipeline, vp.client, verify.Options{Exclude: p.Verify.Exclude})
	if err != nil {
		return err
	}
	fmt.Fprintln(g.stdout)
	printVerify(g.stdout, results, 10)
	rep := verifyReport(p, lv.client, results, started)
	rep.Kind, rep.Title, rep.Target.Sandbox = "run", "Demo migration of "+p.Name, true
	addCounts(rep, sum)
	if err := writeReports(o.Dir, rep); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "\nreport: %s (also report.json, report.md)\n", filepath.Join(o.Dir, "report.html"))
	return demoExit(sum, rep)
}

// configureDemoTarget does what an integrator does before a migration:
// activate the currencies the legacy data uses (a fresh database has only
// the company's).
func configureDemoTarget(ctx context.Context, g *globalOptions, t *targetOptions) error {
	c, err := t.dial(ctx, g, nil)
	if err != nil {
		return err
	}
	ids, err := c.Search(ctx, "res.currency", odoo.Domain{[]any{"name", "in", []any{"EUR", "CHF"}}, []any{"active", "=", false}}, odoo.Page{})
	if err != nil || len(ids) == 0 {
		return err
	}
	fmt.Fprintf(g.stdout, "target set-up: activating EUR and CHF (a fresh database has only the company's currency)\n")
	return c.Write(ctx, "res.currency", ids, map[string]any{"active": true})
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
			return os.MkdirAll(dst, 0o755)
		}
		b, err := fs.ReadFile(demo.Files(), path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}
