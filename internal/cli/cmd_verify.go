package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/load"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/report"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/verify"
	"github.com/ferry-migrate/ferry/internal/verify/fastpath"
)

type verifyOptions struct {
	target     targetOptions
	Report     string
	Show       int
	OdooDSNEnv string
}

func newVerifyCmd(g *globalOptions) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify PLAN",
		Short: "Compare what the plan meant to load with what Odoo holds, record by record and field by field",
		Long: "verify re-reads the sources, applies the plan's mapping, and compares every row that should be in\n" +
			"Odoo with the record Odoo holds under its external ID: match, differ (with both values of each\n" +
			"differing field), missing, or extra (a record under the plan's namespace no row claims). It writes\n" +
			"the full list to report.html, report.json and report.md and exits 7 when anything differs.\n" +
			"With --odoo-dsn-env, the records of the models it can reproduce exactly are compared in Odoo's\n" +
			"database by segment checksums (read-only) and only the differing ones are read; the rest go over RPC.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), o, g, args[0])
		},
	}
	o.target.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.Report, "report", "", "directory for the reports (default: <state-dir>/reports/verify-<time>)")
	cmd.Flags().IntVar(&o.Show, "show", 20, "differences to print on the terminal (all are in the reports)")
	cmd.Flags().StringVar(&o.OdooDSNEnv, "odoo-dsn-env", "", "environment variable holding a read-only DSN of Odoo's PostgreSQL database: "+
		"verify compares the models it can there (fast path) and the rest over RPC")
	return cmd
}

func runVerify(ctx context.Context, o *verifyOptions, g *globalOptions, path string) error {
	p, err := loadPlan(path, g)
	if err != nil {
		return err
	}
	lv, err := prepareLive(ctx, g, &o.target, p, nil)
	if err != nil {
		return err
	}
	defer lv.pipeline.Close()
	started := time.Now()
	refused, err := refusedRows(ctx, g, stateDir(g, p))
	if err != nil {
		return err
	}
	vo := verify.Options{Exclude: p.Verify.Exclude, Refused: refused}
	if o.OdooDSNEnv != "" {
		fast, err := openFastPath(ctx, o.OdooDSNEnv)
		if err != nil {
			return err
		}
		defer fast.Close(context.WithoutCancel(ctx))
		vo.Fast = fast
	}
	v, err := verify.Run(ctx, lv.pipeline, lv.client, vo)
	if err != nil {
		return err
	}
	rep := verifyReport(p, lv.client, v, started)
	if err := auditVerify(ctx, stateDir(g, p), p, rep); err != nil {
		return err
	}
	dir := o.Report
	if dir == "" {
		dir = filepath.Join(stateDir(g, p), "reports", "verify-"+started.UTC().Format("20060102T150405Z"))
	}
	if err := writeReports(dir, rep); err != nil {
		return err
	}
	printVerify(g.stdout, v, o.Show)
	printPaths(g.stdout, v)
	fmt.Fprintf(g.stdout, "reports: %s\n", filepath.Join(dir, "report.html"))
	if rep.Result != "ok" {
		return Exit(ExitDifferences, fmt.Errorf("the target differs from what the plan meant to load"))
	}
	return nil
}

// auditVerify records the verification (per-entity buckets, never
// values) and puts the log's checkpoint into the report.
func auditVerify(ctx context.Context, dir string, p *plan.Plan, rep *report.Report) error {
	buckets := map[string]any{}
	for _, e := range rep.Entities {
		buckets[e.Name] = e.Records
	}
	cp, err := recordAudit(ctx, dir, audit.Event{Action: audit.ActionVerify, Plan: p.Name, Target: rep.Target.URL,
		Digests: map[string]string{"plan": p.Digest}, Result: rep.Result, Details: map[string]any{"records": buckets}})
	if err != nil {
		return err
	}
	rep.Audit = report.AuditHead{Seq: cp.Seq, Hash: cp.Hash, Checkpoint: cp.String()}
	return nil
}

// stateDir is --state-dir, else .ferry beside the plan.
func stateDir(g *globalOptions, p *plan.Plan) string {
	if g.StateDir != "" {
		return g.StateDir
	}
	return filepath.Join(p.Dir, ".ferry")
}

func verifyReport(p *plan.Plan, c *odoo.Client, v *verify.Verification, started time.Time) *report.Report {
	rep := &report.Report{SchemaVersion: 1, Kind: "verify", Title: "Verification of " + p.Name, Actor: actor(),
		StartedAt: started, FinishedAt: time.Now(), Plan: report.Plan{Name: p.Name, Path: p.File, Digest: p.Digest},
		Target: report.Target{URL: secret.RedactURL(c.URLString()), Database: c.Database(), Version: c.Version().Full, Protocol: string(c.Transport())},
		Result: "ok", Controls: v.Controls}
	if !v.Clean() {
		rep.Result = "differences"
	}
	for _, r := range v.Entities {
		e := report.Entity{Name: r.Name, Model: r.Model,
			Records: report.Buckets{Match: r.Match, Differ: r.Differ, Missing: r.Missing, Extra: r.Extra}, Diffs: r.Results}
		rep.Entities = append(rep.Entities, e)
	}
	return rep
}

// actor names who ran the command: $USER, else the account's name.
func actor() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// writeReports renders a report as HTML, JSON and Markdown into dir.
func writeReports(dir string, rep *report.Report) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, f := range []report.Format{report.HTML, report.JSON, report.Markdown} {
		path := filepath.Join(dir, "report."+string(f))
		tmp, err := os.CreateTemp(dir, ".report-*")
		if err != nil {
			return err
		}
		err = report.Render(tmp, rep, f)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

func printVerify(w io.Writer, v *verify.Verification, show int) {
	results := v.Entities
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "entity\tmodel\tmatch\tdiffer\tmissing\textra\tnot meant to load\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t\n", r.Name, r.Model, r.Match, r.Differ, r.Missing, r.Extra, r.NotExpected)
	}
	_ = tw.Flush()
	printControls(w, v.Controls)
	n := 0
	for _, r := range results {
		for _, res := range r.Results {
			if n == show {
				fmt.Fprintln(w, "… more in the reports")
				return
			}
			n++
			fmt.Fprintf(w, "%s %s (%s id %d)\n", res.Status, res.ExternalID, res.Model, res.ID)
			for _, d := range res.Diffs {
				fmt.Fprintf(w, "    %s: want %q, got %q\n", d.Field, d.Want, d.Got)
			}
		}
	}
}

func printControls(w io.Writer, cs []verify.ControlResult) {
	for _, c := range cs {
		switch c.Status {
		case verify.NotChecked:
			fmt.Fprintf(w, "control %q: NOT CHECKED: %s\n", c.Name, c.Reason)
		case verify.Match:
			fmt.Fprintf(w, "control %q: match over %d group(s), source %.2f, target %.2f (tolerance %g)\n", c.Name, c.Groups, c.Source, c.Target, c.Tolerance)
		default:
			fmt.Fprintf(w, "control %q: %d of %d group(s) differ, source %.2f, target %.2f (tolerance %g)\n", c.Name, len(c.Diffs), c.Groups, c.Source, c.Target, c.Tolerance)
			for _, d := range c.Diffs {
				fmt.Fprintf(w, "    %s: source %.2f, target %.2f, delta %+.2f%s\n", d.Group, d.Source, d.Target, d.Delta, onlyNote(d.Only))
			}
		}
	}
}

func onlyNote(only string) string {
	if only == "" {
		return ""
	}
	return " (only in " + only + ")"
}

// refusedRows reads from the ledger (when there is one) the rows the loader
// quarantined on Odoo's refusal: verify does not expect them.
func refusedRows(ctx context.Context, g *globalOptions, dir string) (map[string]bool, error) {
	var rows []ledger.Row
	err := readLedger(ctx, g, dir, func(st *ledger.Store) (err error) { rows, err = st.AllRows(ctx); return err })
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range rows {
		// not a duplicate (keyed by position); a record changed in Odoo
		// since Ferry wrote it is verified: the difference is the edit.
		if r.Pass == 1 && r.State == ledger.Quarantined && r.ExternalID != "" && r.Key == r.ExternalID &&
			!strings.HasPrefix(r.Message, load.CodeChangedInTarget) {
			out[r.ExternalID] = true
		}
	}
	return out, nil
}

// openFastPath connects to Odoo's database with the DSN in the variable
// env (never printed), in read-only transactions.
func openFastPath(ctx context.Context, env string) (*fastpath.Checker, error) {
	dsn := os.Getenv(env)
	if dsn == "" {
		return nil, Usage(fmt.Errorf("--odoo-dsn-env %s: the variable is empty or not set", env))
	}
	c, err := fastpath.Open(ctx, dsn, fastpath.Options{})
	if err != nil {
		return nil, fmt.Errorf("--odoo-dsn-env %s: %w", env, err)
	}
	return c, nil
}

// printPaths says how each entity's rows were compared (only when a
// fast path was given).
func printPaths(w io.Writer, v *verify.Verification) {
	for _, r := range v.Entities {
		for _, u := range r.Paths {
			how := "in the database"
			if u.Path != "database" {
				how = "over RPC"
				if u.Reason != "" {
					how += " (" + u.Reason + ")"
				}
			}
			fmt.Fprintf(w, "path %s: %s, %d row(s) %s\n", r.Name, u.Model, u.Rows, how)
		}
	}
}
