package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/snapshot"
)

type snapshotOptions struct {
	target      targetOptions
	Output      string
	Models      []string
	Fingerprint []string
	MapFile     string
}

func newSnapshotCmd(g *globalOptions) *cobra.Command {
	o := &snapshotOptions{}
	cmd := &cobra.Command{
		Use:   "snapshot -o FILE --model M…",
		Short: "Record an Odoo database's counts, record fingerprints and totals, to compare after an upgrade",
		Long: "snapshot reads, per --model, the record count, the totals of numeric fields and, for models also\n" +
			"named with --fingerprint, a hash of every record's stored fields. Take one before an in-place\n" +
			"upgrade and one after, then run `ferry compare BEFORE AFTER [--map FILE]`.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runUpgradeSnapshot(cmd.Context(), o, g) },
	}
	o.target.AddFlags(cmd.Flags())
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "file to write (required)")
	cmd.Flags().StringSliceVar(&o.Models, "model", nil, "models to record (repeatable)")
	cmd.Flags().StringSliceVar(&o.Fingerprint, "fingerprint", nil, "models whose records are fingerprinted one by one")
	cmd.Flags().StringVar(&o.MapFile, "map", "", "rename map: restricts renamed models with their domain (the after side)")
	return cmd
}

func runUpgradeSnapshot(ctx context.Context, o *snapshotOptions, g *globalOptions) error {
	if o.Output == "" || len(o.Models) == 0 {
		return Usage(fmt.Errorf("-o FILE and at least one --model are required"))
	}
	c, err := o.target.dial(ctx, g, nil)
	if err != nil {
		return err
	}
	opts := snapshot.Options{Models: o.Models, Fingerprint: map[string]bool{}, Server: c.Version().Full, Database: c.Database()}
	for _, m := range o.Fingerprint {
		opts.Fingerprint[m] = true
	}
	if o.MapFile != "" {
		m, err := snapshot.ReadMap(o.MapFile)
		if err != nil {
			return Usage(err)
		}
		opts.Domains = map[string][]any{}
		for _, mm := range m.Models {
			if len(mm.Domain) > 0 {
				opts.Domains[mm.To] = mm.Domain
			}
		}
	}
	s, err := snapshot.Take(ctx, snapshotReader{c}, opts)
	if err != nil {
		return err
	}
	if err := snapshot.Write(o.Output, s); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "wrote %s: %d model(s) of %s (%s)\n", o.Output, len(o.Models), c.Database(), c.Version().Full)
	return nil
}

// snapshotReader adapts the client to snapshot.Reader.
type snapshotReader struct{ c *odoo.Client }

func (r snapshotReader) Fields(ctx context.Context, model string) (map[string]snapshot.FieldInfo, error) {
	defs, err := r.c.FieldsGet(ctx, model, []string{"type", "store"})
	if err != nil {
		return nil, err
	}
	out := make(map[string]snapshot.FieldInfo, len(defs))
	for n, d := range defs {
		t, _ := d["type"].(string)
		st, _ := d["store"].(bool)
		out[n] = snapshot.FieldInfo{Type: t, Store: st}
	}
	return out, nil
}

func (r snapshotReader) Count(ctx context.Context, model string, domain []any) (int64, error) {
	return r.c.SearchCount(ctx, model, odoo.Domain(domain))
}

func (r snapshotReader) Pages(ctx context.Context, model string, domain []any, fields []string, fn func([]map[string]any) error) error {
	var page []map[string]any
	err := r.c.Each(ctx, model, odoo.Domain(domain), fields, 1000, func(rec map[string]any) error {
		page = append(page, rec)
		if len(page) == 1000 {
			err := fn(page)
			page = nil
			return err
		}
		return nil
	})
	if err == nil && len(page) > 0 {
		err = fn(page)
	}
	return err
}
