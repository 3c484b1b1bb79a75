package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// Opening stock arrives the way Odoo counts it: counted quantities in
// inventory mode, then action_apply_inventory; verify compares the
// applied quantities. A quant of a consumable is refused by Odoo.
func TestOpeningStockIsCountedThenApplied(t *testing.T) {
	plan, _, c := sandboxPlan(t, "stock", map[string]string{
		"products.csv": "sku,name,kind,cost\nA,Lamp,stock,7.5\nB,Advice,service,40\n",
		"stock.csv":    "sku,location,qty\nA,WH/Stock,12\nB,WH/Stock,3\n",
	}, `  - name: products
    model: product.product
    from: {source: legacy, file: products.csv}
    key: sku
    fields:
      name: row.name
      default_code: row.sku
      type: 'map_value(row.kind, {"stock": "consu", "service": "service"})'
      is_storable: row.kind == "stock"
      standard_price: parse_number(row.cost)
  - name: stock
    model: stock.quant
    from: {source: legacy, file: stock.csv}
    key: [sku, location]
    after_load: action_apply_inventory
    fields:
      product_id: ref("products", row.sku)
      location_id: lookup("stock.location", "complete_name", row.location)
      inventory_quantity: parse_number(row.qty)
`)
	code, out, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Regexp(t, `stock\s+stock.quant\s+2\s+1\s+0\s+1\s+0\s+holds`, out)
	require.Contains(t, out, "after load stock.action_apply_inventory: 1 done, 0 failed")
	q, err := os.ReadFile(filepath.Join(filepath.Dir(plan), ".ferry", "quarantine", "stock.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), "Quants cannot be created for consumables or services.")

	quants, err := c.SearchRead(context.Background(), "stock.quant", nil, []string{"id", "quantity", "inventory_quantity", "inventory_quantity_set"}, odoo.Page{})
	require.NoError(t, err)
	require.Len(t, quants, 1)
	require.Equal(t, 12.0, quants[0]["quantity"])
	require.Equal(t, false, quants[0]["inventory_quantity_set"])

	code, out, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, `control "stock: valuation per product (counted quantity × cost)": match over 1 group(s), source 90.00, target 90.00`)

	// Someone counts 20 lamps in Odoo after the load: the quant and the
	// valuation differ from the source.
	ctx := context.Background()
	id, _ := quants[0]["id"].(int64)
	require.NoError(t, c.Write(ctx, "stock.quant", []int64{id}, map[string]any{"inventory_quantity": 20, "inventory_quantity_set": true}))
	_, err = c.Execute(ctx, "stock.quant", "action_apply_inventory", []any{[]any{id}}, nil)
	require.NoError(t, err)
	code, out, _ = run(t, "verify", plan)
	require.Equal(t, ExitDifferences, code, out)
	require.Contains(t, out, `control "stock: valuation per product (counted quantity × cost)": 1 of 1 group(s) differ`)
	require.Contains(t, out, "legacy_stock.products_A: source 90.00, target 150.00, delta +60.00")
}

// A row loaded earlier and gone from the source is reported on the next
// run, and archived when the plan says on_delete: archive.
func TestRowsGoneFromTheSourceAreReportedAndArchived(t *testing.T) {
	plan, _, c := sandboxPlan(t, "gone", map[string]string{"customers.csv": "id,name\n1,Alpha\n2,Beta\n3,Gamma\n"}, `  - name: customers
    model: res.partner
    unmasked: [name] # synthetic test data
    from: {source: legacy, file: customers.csv}
    key: id
    on_delete: archive
    fields:
      name: row.name
`)
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	data := filepath.Join(filepath.Dir(plan), "data", "customers.csv")
	require.NoError(t, os.WriteFile(data, []byte("id,name\n1,Alpha\n3,Gamma\n"), 0o644))
	code, out, errs = run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "customers: 1 row(s) loaded earlier are gone from the source (legacy_gone.customers_2); 1 archived")
	_, id, err := c.Resolve(context.Background(), "legacy_gone.customers_2")
	require.NoError(t, err)
	recs, err := c.Read(context.Background(), "res.partner", []int64{id}, []string{"active"})
	require.NoError(t, err)
	require.Equal(t, false, recs[0]["active"])
	code, out, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, "an archived record gone from the source is not extra: %s\n%s", out, errs)
}
