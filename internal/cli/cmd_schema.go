package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// schemaAttributes are the fields_get attributes a snapshot keeps.
var schemaAttributes = []string{"type", "string", "required", "readonly", "relation", "relation_field", "selection",
	"store", "size", "translate", "company_dependent", "searchable", "sortable", "digits"}

// snapshotModels are the models a snapshot holds when none are named: the
// ones a migration usually writes or looks up.
var snapshotModels = []string{"account.account", "account.journal", "account.move", "account.move.line",
	"account.payment", "account.payment.term", "account.tax", "ir.attachment", "ir.model.data", "product.category",
	"product.product", "product.template", "res.bank", "res.company", "res.country", "res.country.state",
	"res.currency", "res.partner", "res.partner.bank", "res.partner.category", "res.users", "sale.order",
	"sale.order.line", "stock.location", "stock.quant", "stock.warehouse", "uom.uom"}

func newSchemaCmd(g *globalOptions) *cobra.Command {
	t := &targetOptions{}
	cmd := &cobra.Command{
		Use:   "schema MODEL...",
		Short: "Show the fields of Odoo models (name, type, required, readonly, relation)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSchema(cmd.Context(), t, g, args)
		},
	}
	t.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(newSchemaSnapshotCmd(g, t))
	return cmd
}

func newSchemaSnapshotCmd(g *globalOptions, t *targetOptions) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "snapshot -o FILE [MODEL...]",
		Short: "Save fields_get of models to a file, for offline validation and sandbox rehearsals",
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return Usage(fmt.Errorf("-o FILE is required"))
			}
			return runSnapshot(cmd.Context(), t, g, out, args)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write")
	return cmd
}

type schemaSnapshot struct {
	ServerVersion map[string]any                       `json:"server_version"`
	Models        map[string]map[string]map[string]any `json:"models"`
	// Active lists the target's active currencies (res.currency names)
	// and languages (res.lang codes): a rehearsal activates them in its
	// sandbox, so lookups of them resolve as they will in the target.
	Active map[string][]string `json:"active,omitempty"`
}

// activeRecords are the records a snapshot lists when active: model and
// the field that names them.
var activeRecords = map[string]string{"res.currency": "name", "res.lang": "code"}

// readActive lists the target's active currencies and languages.
func readActive(ctx context.Context, c *odoo.Client) (map[string][]string, error) {
	out := map[string][]string{}
	for model, field := range activeRecords {
		recs, err := c.SearchRead(ctx, model, odoo.Domain{[]any{"active", "=", true}}, []string{field}, odoo.Page{Order: field})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if s, ok := r[field].(string); ok {
				out[model] = append(out[model], s)
			}
		}
	}
	return out, nil
}

func fetchSchema(ctx context.Context, c *odoo.Client, models []string) (*schemaSnapshot, error) {
	v := c.Version()
	snap := &schemaSnapshot{
		ServerVersion: map[string]any{"server_version": v.Full, "server_serie": v.Serie, "server_version_info": []any{v.Major, v.Minor}},
		Models:        map[string]map[string]map[string]any{},
	}
	for _, m := range models {
		fields, err := c.FieldsGet(ctx, m, schemaAttributes)
		if err != nil {
			return nil, err
		}
		snap.Models[m] = fields
	}
	return snap, nil
}

// dialSchema connects and reads the schema of models.
func dialSchema(ctx context.Context, t *targetOptions, g *globalOptions, models []string) (*odoo.Client, *schemaSnapshot, error) {
	c, err := t.dial(ctx, g, nil)
	if err != nil {
		return nil, nil, err
	}
	snap, err := fetchSchema(ctx, c, models)
	return c, snap, err
}

func runSchema(ctx context.Context, t *targetOptions, g *globalOptions, models []string) error {
	_, snap, err := dialSchema(ctx, t, g, models)
	if err != nil {
		return err
	}
	if g.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(snap.Models)
	}
	for _, m := range models {
		printFields(g, m, snap.Models[m])
	}
	return nil
}

func printFields(g *globalOptions, model string, fields map[string]map[string]any) {
	fmt.Fprintf(g.stdout, "%s (%d fields)\n", model, len(fields))
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  FIELD\tTYPE\tREQUIRED\tREADONLY\tSTORED\tRELATION\tLABEL")
	for _, n := range names {
		f := fields[n]
		fmt.Fprintf(tw, "  %s\t%v\t%s\t%s\t%s\t%s\t%v\n", n, f["type"], yes(f["required"]), yes(f["readonly"]), yes(f["store"]), str(f["relation"]), f["string"])
	}
	_ = tw.Flush()
}

func yes(v any) string {
	if b, _ := v.(bool); b {
		return "yes"
	}
	return ""
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func runSnapshot(ctx context.Context, t *targetOptions, g *globalOptions, out string, models []string) error {
	if len(models) == 0 {
		models = snapshotModels
	}
	c, snap, err := dialSchema(ctx, t, g, models)
	if err != nil {
		return err
	}
	if snap.Active, err = readActive(ctx, c); err != nil {
		return err
	}
	b, err := json.MarshalIndent(snap, "", " ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(out, append(b, '\n')); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "wrote %s: %d models from %s %s\n", out, len(models), c.Database(), c.Version().Full)
	return nil
}

// writeFileAtomic writes through a temporary file and a rename, so a full
// disk or a crash never leaves half a file under the final name.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}
