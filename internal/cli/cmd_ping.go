package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/plan"
)

type pingOptions struct {
	target targetOptions
	Models []string
	Fields []string
	Plan   string
}

func newPingCmd(g *globalOptions) *cobra.Command {
	o := &pingOptions{}
	cmd := &cobra.Command{
		Use:   "ping",
		Short: "Connect to Odoo, authenticate, and show version, protocol, TLS, user and access rights",
		Long: "ping connects to the target, authenticates, and prints the server version, the protocol in use,\n" +
			"whether the connection is encrypted, and the user with their time zone. For each --model it\n" +
			"prints the user's access rights and runs a probe load (a new record, an update of an existing\n" +
			"one, and a sentinel row that always fails, so Odoo reports every access, field and constraint\n" +
			"error and rolls everything back: nothing is written).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPing(cmd.Context(), o, g) },
	}
	o.target.AddFlags(cmd.Flags())
	cmd.Flags().StringSliceVar(&o.Models, "model", nil, "models to check access to (repeatable)")
	cmd.Flags().StringSliceVar(&o.Fields, "field", []string{"name"}, "fields the probe load writes on each --model")
	cmd.Flags().StringVar(&o.Plan, "plan", "", "probe every entity of this plan with its real columns (target from the plan)")
	return cmd
}

// pingResult is what ping found; --json prints it.
type pingResult struct {
	Server   string        `json:"server_version"`
	Major    int           `json:"major"`
	Protocol string        `json:"protocol"`
	TLS      bool          `json:"tls"`
	Database string        `json:"database"`
	UID      int64         `json:"uid"`
	User     string        `json:"user"`
	TZ       string        `json:"tz"`
	Lang     string        `json:"lang"`
	Warnings []string      `json:"warnings,omitempty"`
	Models   []modelAccess `json:"models,omitempty"`
}

type modelAccess struct {
	Model  string          `json:"model"`
	Rights map[string]bool `json:"rights"`
	Probe  []string        `json:"probe_errors"`
	Note   string          `json:"note,omitempty"`
}

func runPing(ctx context.Context, o *pingOptions, g *globalOptions) error {
	var p *plan.Plan
	if o.Plan != "" {
		var err error
		if p, err = loadPlan(o.Plan, g); err != nil {
			return err
		}
	}
	var pt *plan.Target
	if p != nil {
		pt = &p.Target
	}
	c, err := o.target.dial(ctx, g, pt)
	if err != nil {
		return err
	}
	res := pingResult{Server: c.Version().Full, Major: c.Version().Major, Protocol: string(c.Transport()), TLS: c.TLS(),
		Database: c.Database(), UID: c.UID(), Warnings: c.Warnings()}
	users, err := c.Read(ctx, "res.users", []int64{c.UID()}, []string{"name", "login", "tz", "lang"})
	if err != nil {
		return err
	}
	if len(users) == 1 {
		res.User = fmt.Sprintf("%v (%v)", users[0]["name"], users[0]["login"])
		res.TZ, res.Lang = falsy(users[0]["tz"]), falsy(users[0]["lang"])
	}
	for _, m := range o.Models {
		a, err := probeModel(ctx, c, m, o.Fields)
		if err != nil {
			return err
		}
		res.Models = append(res.Models, a)
	}
	if p != nil {
		as, err := probePlan(ctx, g, &o.target, p)
		if err != nil {
			return err
		}
		res.Models = append(res.Models, as...)
	}
	if g.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printPing(g, res)
	return nil
}

func falsy(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return "(not set)"
}

func printPing(g *globalOptions, r pingResult) {
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	tls := "no"
	if r.TLS {
		tls = "yes"
	}
	fmt.Fprintf(tw, "server\t%s\n", r.Server)
	fmt.Fprintf(tw, "protocol\t%s\n", r.Protocol)
	fmt.Fprintf(tw, "tls\t%s\n", tls)
	fmt.Fprintf(tw, "database\t%s\n", r.Database)
	fmt.Fprintf(tw, "user\t%s, uid %d, tz %s, lang %s\n", r.User, r.UID, r.TZ, r.Lang)
	for _, m := range r.Models {
		fmt.Fprintf(tw, "model %s\t%s\n", m.Model, rights(m.Rights))
		for _, p := range m.Probe {
			fmt.Fprintf(tw, "  probe\t%s\n", p)
		}
		if len(m.Probe) == 0 {
			fmt.Fprintf(tw, "  probe\tno refusal (nothing was written)\n")
		}
		if m.Note != "" {
			fmt.Fprintf(tw, "  note\t%s\n", m.Note)
		}
	}
	_ = tw.Flush()
}

func rights(r map[string]bool) string {
	var parts []string
	for _, op := range []string{"read", "write", "create", "unlink"} {
		mark := "no"
		if r[op] {
			mark = "yes"
		}
		parts = append(parts, op+" "+mark)
	}
	return strings.Join(parts, ", ")
}

// probeModel checks model rights and runs the probe load.
func probeModel(ctx context.Context, c *odoo.Client, model string, fields []string) (modelAccess, error) {
	a := modelAccess{Model: model, Rights: map[string]bool{}}
	for _, op := range []string{"read", "write", "create", "unlink"} {
		ok, err := c.CheckAccessRights(ctx, model, op)
		if err != nil {
			return a, err
		}
		a.Rights[op] = ok
	}
	defs, err := c.FieldsGet(ctx, model, []string{"type", "selection", "string"})
	if err != nil {
		return a, err
	}
	rows, note, err := probeRows(ctx, c, model, fields, defs)
	if err != nil {
		return a, err
	}
	a.Note = note
	res, err := c.Load(ctx, model, append([]string{"id"}, fields...), rows, nil)
	if err != nil {
		return a, err
	}
	sentinel := len(rows) - 1
	for _, m := range res.Messages {
		if m.From == sentinel && m.To == sentinel {
			continue
		}
		a.Probe = append(a.Probe, fmt.Sprintf("row %d (%s): %s", m.From, probeRowName(m.From, len(rows)), strings.TrimSpace(m.Message)))
	}
	sort.Strings(a.Probe)
	return a, nil
}

// probeSentinel is an external ID Odoo always refuses (a space in its
// name violates ir_model_data_name_nospaces), so the probe batch is
// always rolled back.
const probeSentinel = "__ferry_probe__.always fails"

func probeRowName(i, n int) string {
	switch {
	case i == 0:
		return "create"
	case i < n-1:
		return "update"
	}
	return "sentinel"
}

func probeRows(ctx context.Context, c *odoo.Client, model string, fields []string, defs map[string]map[string]any) ([][]string, string, error) {
	sample := make([]string, len(fields))
	for i, f := range fields {
		d, ok := defs[f]
		if !ok {
			return nil, "", Usage(fmt.Errorf("--field %s: %s has no such field", f, model))
		}
		sample[i] = sampleValue(d)
	}
	rows := [][]string{append([]string{"__ferry_probe__.create"}, sample...)}
	note := ""
	ids, err := c.Search(ctx, model, nil, odoo.Page{Limit: 1, Order: "id"})
	if err != nil {
		return nil, "", err
	}
	var xml map[int64]string
	if len(ids) > 0 {
		if xml, err = c.ExternalIDs(ctx, model, ids); err != nil {
			note = "update form not probed: " + err.Error()
		}
	}
	if len(ids) > 0 && xml[ids[0]] != "" {
		rows = append(rows, append([]string{xml[ids[0]]}, sample...))
	} else if note == "" {
		note = "update form not probed: no existing record with an external ID"
	}
	return append(rows, append([]string{probeSentinel}, sample...)), note, nil
}

func sampleValue(d map[string]any) string {
	switch d["type"] {
	case "boolean":
		return "0"
	case "integer", "float", "monetary":
		return "0"
	case "date":
		return "2000-01-01"
	case "datetime":
		return "2000-01-01 00:00:00"
	case "selection":
		if sel, ok := d["selection"].([]any); ok && len(sel) > 0 {
			if p, ok := sel[0].([]any); ok && len(p) > 0 {
				return fmt.Sprint(p[0])
			}
		}
	case "many2one", "one2many", "many2many":
		return ""
	}
	return "Ferry probe"
}
