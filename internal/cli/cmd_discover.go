package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/discover"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/odoosrc"
)

type discoverOptions struct {
	target targetOptions
	Models []string
}

func newDiscoverCmd(g *globalOptions) *cobra.Command {
	o := &discoverOptions{}
	cmd := &cobra.Command{
		Use:   "discover PLAN [--target-model MODEL...]",
		Short: "Find source columns that hold personal data and suggest mask: lines (values are never printed)",
		Long: "discover reads every entity's source and reports the columns whose values look personal (emails,\n" +
			"phones, IBANs, VAT numbers) or whose names do (names, addresses, birth dates, national ids), with\n" +
			"the share of values that match and whether the plan already masks them. It prints counts and\n" +
			"shares, never a value. --target-model scans models of the plan's target too (what a test copy\n" +
			"of production already holds).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runDiscover(cmd.Context(), g, o, args[0]) },
	}
	o.target.AddFlags(cmd.Flags())
	cmd.Flags().StringSliceVar(&o.Models, "target-model", nil, "a model of the target to scan too (repeatable), e.g. res.partner")
	return cmd
}

// entityFindings is what discover found for one entity.
type entityFindings struct {
	Entity   string             `json:"entity"`
	Findings []discover.Finding `json:"findings"`
	Masked   map[string]string  `json:"masked,omitempty"`
}

func runDiscover(ctx context.Context, g *globalOptions, o *discoverOptions, path string) error {
	p, err := loadPlan(path, g)
	if err != nil {
		return err
	}
	pl, err := pipeline.Prepare(ctx, p, pipeline.Options{})
	if err != nil {
		return err
	}
	defer pl.Close()
	var out []entityFindings
	for _, e := range p.Entities {
		fs, err := scanEntity(ctx, pl, e.From)
		if err != nil {
			return err
		}
		out = append(out, entityFindings{Entity: e.Name, Findings: fs, Masked: e.Mask})
	}
	targetFindings, err := scanTarget(ctx, g, o, p)
	if err != nil {
		return err
	}
	out = append(out, targetFindings...)
	if g.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printDiscover(g, out)
	return nil
}

func scanEntity(ctx context.Context, pl *pipeline.Pipeline, sel source.Select) ([]discover.Finding, error) {
	src, err := pl.OpenSource(ctx, sel)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	sch, err := src.Schema(ctx)
	if err != nil {
		return nil, err
	}
	sc := discover.NewScanner(sch.Names())
	err = src.Scan(ctx, record.Position{}, func(r *record.Record) error { sc.Add(r); return nil })
	return sc.Findings(), err
}

// scanTarget scans the --target-model models of the plan's target.
func scanTarget(ctx context.Context, g *globalOptions, o *discoverOptions, p *plan.Plan) ([]entityFindings, error) {
	if len(o.Models) == 0 {
		return nil, nil
	}
	c, err := o.target.dial(ctx, g, &p.Target)
	if err != nil {
		return nil, err
	}
	var out []entityFindings
	for _, m := range o.Models {
		src, err := odoosrc.OpenClient(ctx, c, odoosrc.Options{Source: "target", Namespace: p.Namespace, Model: m})
		if err != nil {
			return nil, err
		}
		sch, err := src.Schema(ctx)
		if err != nil {
			src.Close()
			return nil, err
		}
		sc := discover.NewScanner(sch.Names())
		err = src.Scan(ctx, record.Position{}, func(r *record.Record) error { sc.Add(r); return nil })
		src.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, entityFindings{Entity: "target " + m, Findings: sc.Findings()})
	}
	return out, nil
}

func printDiscover(g *globalOptions, out []entityFindings) {
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTITY\tCOLUMN\tLOOKS LIKE\tBY\tMATCHING VALUES\tMASKED BY THE PLAN")
	for _, e := range out {
		for _, f := range e.Findings {
			by := "column name"
			share := "-"
			if f.Reason == "values" {
				by, share = "values", fmt.Sprintf("%d of %d (%.0f%%)", f.Matches, f.Values, 100*f.Share)
			}
			masked := "NO"
			if k, ok := e.Masked[f.Column]; ok {
				masked = "yes (" + k + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Entity, f.Column, f.Class, by, share, masked)
		}
	}
	_ = tw.Flush()
	for _, e := range out {
		line := ""
		for _, f := range e.Findings {
			if _, ok := e.Masked[f.Column]; !ok {
				if line != "" {
					line += ", "
				}
				line += f.Column + ": " + f.Kind
			}
		}
		if line != "" {
			fmt.Fprintf(g.stdout, "suggested for %s:  mask: {%s}\n", e.Entity, line)
		}
	}
}
