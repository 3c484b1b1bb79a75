package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/validate"
)

type validateOptions struct {
	Plan       string
	Schema     string
	Quarantine string
	Summary    string
	FailOn     string
}

func (o *validateOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Schema, "schema", "", "validate offline against this schema snapshot (fields_get per model, JSON)")
	fs.StringVar(&o.Quarantine, "quarantine", "", "directory for quarantine/<entity>.csv files and summary.json (default: validate/ in the state directory)")
	fs.StringVar(&o.Summary, "summary", "", "write the JSON summary here (default: <quarantine>/summary.json)")
	fs.StringVar(&o.FailOn, "fail-on", "error", "exit 3 when a finding is at or above this severity (error, warning)")
}

func newValidateCmd(g *globalOptions) *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate PLAN",
		Short: "Read every source, map and check every row, and write nothing to Odoo",
		Long: "validate reads every source of the plan, applies the mapping, cleansing and rules, and checks\n" +
			"the result against the target's schema (or a snapshot with --schema). It prints, per entity,\n" +
			"the rows read, that would load, quarantined and skipped, writes quarantine/<entity>.csv and a\n" +
			"JSON summary, and exits 3 when a finding reaches --fail-on.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Plan = args[0]
			return runValidate(cmd.Context(), o, g)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func runValidate(ctx context.Context, o *validateOptions, g *globalOptions) error {
	threshold := diag.Error
	if err := threshold.UnmarshalText([]byte(o.FailOn)); err != nil {
		return Usage(fmt.Errorf("--fail-on: %w", err))
	}
	p, err := loadPlan(o.Plan, g)
	if err != nil {
		return err
	}
	opts, schemaNote, err := validateSchema(o, p)
	if err != nil {
		return err
	}
	if opts.Masker, err = maskerFor(p); err != nil {
		return err
	}
	if opts.KeySecret, err = keySecretFor(p); err != nil {
		return err
	}
	pl, err := pipeline.Prepare(ctx, p, opts)
	var pe *pipeline.PlanError
	if errors.As(err, &pe) {
		printFindings(g.stderr, pe.Findings)
		return Usage(err)
	}
	if err != nil {
		return err
	}
	defer pl.Close()
	if o.Quarantine == "" { // beside the run's state, never over the run's own quarantine files
		o.Quarantine = filepath.Join(stateDir(g, p), "validate")
	}
	s, err := pl.DryRun(ctx, o.Quarantine)
	if err != nil {
		return err
	}
	s.Schema = schemaNote
	if err := auditValidate(ctx, stateDir(g, p), p, s); err != nil {
		return err
	}
	return reportValidate(o, g, s, threshold)
}

// auditValidate records the dry run: plan digest and per-entity counts.
func auditValidate(ctx context.Context, dir string, p *plan.Plan, s *pipeline.Summary) error {
	counts := map[string]any{}
	for _, e := range s.Entities {
		counts[e.Name] = map[string]int64{"read": e.Read, "would_load": e.WouldLoad, "unchanged": e.Unchanged,
			"quarantined": e.Quarantined, "skipped": e.Skipped}
	}
	result := "ok"
	if s.Errors > 0 {
		result = "findings"
	}
	_, err := recordAudit(ctx, dir, audit.Event{Action: audit.ActionValidate, Plan: p.Name, Digests: map[string]string{"plan": p.Digest},
		Result: result, Details: map[string]any{"counts": counts, "errors": s.Errors, "warnings": s.Warnings, "identity_holds": s.Holds}})
	return err
}

// loadPlan loads a plan and prints its findings; findings of error
// severity are a usage error (exit 2).
func loadPlan(path string, g *globalOptions) (*plan.Plan, error) {
	p, ds, err := plan.Load(path)
	if err != nil {
		return nil, Usage(err)
	}
	printFindings(g.stderr, ds)
	if diag.Max(ds) >= diag.Error {
		return nil, Usage(fmt.Errorf("plan %s has %d problem(s)", path, len(ds)))
	}
	return p, nil
}

func printFindings(w io.Writer, ds []diag.Diagnostic) {
	for _, d := range ds {
		fmt.Fprintln(w, d.String())
	}
}

// validateSchema picks the schema: --schema, else the plan's target.schema;
// without either, schema checks are skipped (and said so).
func validateSchema(o *validateOptions, p *plan.Plan) (pipeline.Options, string, error) {
	path := o.Schema
	if path == "" && p.Target.Schema != "" {
		path = p.Target.Schema
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.Dir, path)
		}
	}
	if path == "" {
		return pipeline.Options{}, "none (no --schema and no target.schema: field checks skipped)", nil
	}
	schema, major, err := validate.LoadSchema(path)
	if err != nil {
		return pipeline.Options{}, "", Usage(err)
	}
	return pipeline.Options{Schema: schema, ServerVersion: major}, fmt.Sprintf("%s (Odoo %d)", path, major), nil
}

func reportValidate(o *validateOptions, g *globalOptions, s *pipeline.Summary, threshold diag.Severity) error {
	summaryPath := o.Summary
	if summaryPath == "" {
		summaryPath = filepath.Join(o.Quarantine, "summary.json")
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(summaryPath), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(summaryPath, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if g.JSON {
		_, err = g.stdout.Write(append(b, '\n'))
	} else {
		err = printSummary(g.stdout, s, summaryPath, g.Quiet)
	}
	if err != nil {
		return err
	}
	return validateExit(s, threshold)
}

func validateExit(s *pipeline.Summary, threshold diag.Severity) error {
	if !s.Holds {
		return Exit(ExitIntegrity, errors.New("read = would load + unchanged + quarantined + skipped does not hold"))
	}
	n := s.Errors
	if threshold <= diag.Warning {
		n += s.Warnings
	}
	if n > 0 {
		return Exit(ExitFindings, fmt.Errorf("%d finding(s) at or above %s", n, threshold))
	}
	return nil
}

func printSummary(w io.Writer, s *pipeline.Summary, summaryPath string, quiet bool) error {
	fmt.Fprintf(w, "plan %s (sha256 %.12s), namespace %s\nschema: %s\n", s.Plan, s.Digest, s.Namespace, s.Schema)
	fmt.Fprintf(w, "order: %s\n\n", strings.Join(s.Order, " → "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "entity\tmodel\tread\twould load\tunchanged\tquarantined\tskipped\tidentity\t")
	for _, e := range s.Entities {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t\n", e.Name, e.Model, e.Read, e.WouldLoad, e.Unchanged, e.Quarantined, e.Skipped, holds(e.Holds))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nidentity: read = would load + unchanged + quarantined + skipped")
	if !quiet {
		printDetails(w, s)
	}
	fmt.Fprintf(w, "\n%d error(s), %d warning(s); summary: %s\n", s.Errors, s.Warnings, summaryPath)
	return nil
}

func holds(ok bool) string {
	if ok {
		return "holds"
	}
	return "BROKEN"
}

func printDetails(w io.Writer, s *pipeline.Summary) {
	for _, e := range s.Entities {
		for _, r := range sortedCounts(e.SkipRules) {
			fmt.Fprintf(w, "skipped %s: %s\n", e.Name, r)
		}
		for _, f := range e.Quarantine {
			fmt.Fprintf(w, "quarantine: %s\n", f)
		}
	}
	if len(s.Codes) > 0 {
		fmt.Fprintf(w, "\nfindings by code: %s\n", strings.Join(sortedCounts(s.Codes), ", "))
	}
	for _, d := range s.Findings {
		fmt.Fprintln(w, "  "+d.String())
	}
	if len(s.Examples) > 0 {
		fmt.Fprintf(w, "first findings:\n")
		for _, d := range s.Examples {
			fmt.Fprintln(w, "  "+d.String())
		}
	}
}

func sortedCounts(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s ×%d", k, v))
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) { sort.Strings(s) }
