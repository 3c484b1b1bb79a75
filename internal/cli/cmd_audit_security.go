package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/security"
)

type securityOptions struct {
	target      targetOptions
	Plan        string
	Environment string
	FailOn      string
	HTML        string
	NoLoginTry  bool
}

func newAuditSecurityCmd(g *globalOptions) *cobra.Command {
	o := &securityOptions{}
	cmd := &cobra.Command{
		Use:   "security [--plan PLAN] [target flags]",
		Short: "Audit how exposed the Odoo target (and the plan's sources) are; exit 3 at or above --fail-on",
		Long: "security checks the target: supported version, HTTPS and certificate, the database manager (read,\n" +
			"never posted to), admin's default password (one login attempt), administrators, two-factor\n" +
			"authentication, API keys without expiry, demo data, and — for a test copy (environment: test) —\n" +
			"neutralization, mail servers and scheduled actions; with --plan also its sources: encrypted\n" +
			"connections, superuser logins, export files others can read. A check the user lacks the rights\n" +
			"for says `not checked: needs …`, never pass.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSecurity(cmd.Context(), g, o) },
	}
	o.target.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.Plan, "plan", "", "plan whose target and sources to audit")
	cmd.Flags().StringVar(&o.Environment, "environment", "", "test or production (default: the plan's target.environment, else production)")
	cmd.Flags().StringVar(&o.FailOn, "fail-on", "high", "exit 3 when a check fails at or above this severity (info, low, medium, high, critical)")
	cmd.Flags().StringVar(&o.HTML, "html", "", "also write the findings as an HTML page to this file")
	cmd.Flags().BoolVar(&o.NoLoginTry, "no-login-attempt", false, "skip the one login attempt as admin/admin")
	return cmd
}

func runSecurity(ctx context.Context, g *globalOptions, o *securityOptions) error {
	threshold, err := security.ParseSeverity(o.FailOn)
	if err != nil {
		return Usage(fmt.Errorf("--fail-on: %w", err))
	}
	var p *plan.Plan
	var t *plan.Target
	if o.Plan != "" {
		if p, err = loadPlan(o.Plan, g); err != nil {
			return err
		}
		t = &p.Target
	}
	env := first(o.Environment, planEnvironment(p), "production")
	if env != "test" && env != "production" {
		return Usage(fmt.Errorf("--environment %s: want test or production", env))
	}
	c, err := o.target.dial(ctx, g, t)
	if err != nil {
		return err
	}
	rep := &security.Report{Target: secret.RedactURL(c.URLString()) + " database " + c.Database(), Version: c.Version().Full, Login: c.Login()}
	tgt := security.Target{Client: c, Test: env == "test"}
	if !o.NoLoginTry {
		tgt.DefaultAdmin = func(ctx context.Context) (bool, error) { return tryDefaultAdmin(ctx, &o.target, t) }
	}
	rep.Findings = security.AuditTarget(ctx, tgt)
	if p != nil {
		rep.Findings = append(rep.Findings, security.AuditSources(ctx, p)...)
	}
	if err := writeSecurity(g, o, rep); err != nil {
		return err
	}
	return securityExit(ctx, g, p, rep, threshold)
}

func planEnvironment(p *plan.Plan) string {
	if p == nil {
		return ""
	}
	return p.Target.Environment
}

// tryDefaultAdmin makes one login attempt as admin/admin, no retry.
func tryDefaultAdmin(ctx context.Context, o *targetOptions, t *plan.Target) (bool, error) {
	cfg, err := o.config(t)
	if err != nil {
		return false, err
	}
	cfg.Login, cfg.Password, cfg.APIKey, cfg.Retries = "admin", secret.New("admin"), secret.String{}, -1
	if cfg.Transport == odoo.JSON2 { // a password cannot be a bearer token
		cfg.Transport = odoo.JSONRPC
	}
	_, err = odoo.Dial(ctx, cfg)
	if odoo.IsKind(err, odoo.KindAuth) {
		return false, nil
	}
	return err == nil, err
}

func writeSecurity(g *globalOptions, o *securityOptions, rep *security.Report) error {
	if o.HTML != "" {
		f, err := os.Create(o.HTML)
		if err != nil {
			return err
		}
		err = errors.Join(security.WriteHTML(f, rep), f.Close())
		if err != nil {
			return err
		}
	}
	if g.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return security.WriteText(g.stdout, rep)
}

// securityExit records the audit and exits 3 when a failure reaches the
// threshold.
func securityExit(ctx context.Context, g *globalOptions, p *plan.Plan, rep *security.Report, threshold security.Severity) error {
	counts := map[string]int{}
	for _, f := range rep.Findings {
		counts[string(f.Status)]++
	}
	worst, failed := rep.Worst()
	result := "ok"
	if failed {
		result = "worst: " + worst.String()
	}
	dir := plainStateDir(g)
	e := audit.Event{Action: "audit security", Target: rep.Target, Result: result, Details: map[string]any{"findings": counts}}
	if p != nil {
		dir, e.Plan, e.Digests = stateDir(g, p), p.Name, map[string]string{"plan": p.Digest}
	}
	if _, err := recordAudit(ctx, dir, e); err != nil {
		return err
	}
	if failed && worst >= threshold {
		return Exit(ExitFindings, fmt.Errorf("security audit: a check failed at severity %s (--fail-on %s)", worst, threshold))
	}
	return nil
}
