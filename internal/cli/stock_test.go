package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// Opening stock arrives the way Odoo counts it: counted quantities in
// inventory mode, then action_apply_inventory; verify compares the
// applied quantities. A quant of a consumable is refused by Odoo.
func TestOpeningStockIsCountedThenApplied(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{Version: 18, AdminKey: "stock-key"})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o755))
	files := map[string]string{
		"products.csv": "sku,name,kind\nA,Lamp,stock\nB,Advice,service\n",
		"stock.csv":    "sku,location,qty\nA,WH/Stock,12\nB,WH/Stock,3\n",
	}
	for n, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "data", n), []byte(b), 0o644))
	}
	plan := filepath.Join(dir, "plan.yaml")
	require.NoError(t, os.WriteFile(plan, []byte(fmt.Sprintf(`version: 1
name: stock
namespace: legacy_stock
target: {url: %s, database: %s, login: admin, api_key: {env: STOCK_KEY}, environment: test}
backup: none
sources:
  legacy: {kind: csv, path: data}
entities:
  - name: products
    model: product.product
    from: {source: legacy, file: products.csv}
    key: sku
    fields:
      name: row.name
      default_code: row.sku
      type: 'map_value(row.kind, {"stock": "consu", "service": "service"})'
      is_storable: row.kind == "stock"
  - name: stock
    model: stock.quant
    from: {source: legacy, file: stock.csv}
    key: [sku, location]
    after_load: action_apply_inventory
    fields:
      product_id: ref("products", row.sku)
      location_id: lookup("stock.location", "complete_name", row.location)
      inventory_quantity: parse_number(row.qty)
`, sb.URL, sb.Database())), 0o644))
	t.Setenv("STOCK_KEY", "stock-key")
	code, out, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Regexp(t, `stock\s+stock.quant\s+2\s+1\s+0\s+1\s+0\s+holds`, out)
	require.Contains(t, out, "after load stock.action_apply_inventory: 1 done, 0 failed")
	q, err := os.ReadFile(filepath.Join(dir, ".ferry", "quarantine", "stock.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), "Quants cannot be created for consumables or services.")

	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New("stock-key")})
	require.NoError(t, err)
	quants, err := c.SearchRead(context.Background(), "stock.quant", nil, []string{"quantity", "inventory_quantity", "inventory_quantity_set"}, odoo.Page{})
	require.NoError(t, err)
	require.Len(t, quants, 1)
	require.Equal(t, 12.0, quants[0]["quantity"])
	require.Equal(t, false, quants[0]["inventory_quantity_set"])

	code, out, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
}
