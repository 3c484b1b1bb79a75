package contract

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// Odoo's own logic that loads and verification depend on, checked on the
// sandbox and on a real Odoo alike.

func TestContactTakesItsCompanysAddressAndVAT(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		x := "ferry_contract." + tag(t)
		res, err := c.Load(ctx(t), "res.partner", []string{"id", "name", "is_company", "street", "city", "vat"},
			[][]string{{x + "_co", "Sync Co", "1", "1 Rue Haute", "Bruxelles", "BE0477472701"}}, nil)
		require.NoError(t, err)
		require.False(t, res.RolledBack, "%+v", res.Messages)
		child, err := c.Load(ctx(t), "res.partner", []string{"id", "name", "parent_id/id"}, [][]string{{x + "_p", "Sync Person", x + "_co"}}, nil)
		require.NoError(t, err)
		require.False(t, child.RolledBack, "%+v", child.Messages)
		recs, err := c.Read(ctx(t), "res.partner", child.IDs, []string{"street", "city", "vat", "type"})
		require.NoError(t, err)
		require.Equal(t, "1 Rue Haute", recs[0]["street"])
		require.Equal(t, "Bruxelles", recs[0]["city"])
		require.Equal(t, "BE0477472701", recs[0]["vat"])
		_ = c.Unlink(ctx(t), "res.partner", append(child.IDs, res.IDs...))
	})
}

func TestPostingRaisesTheCustomerRank(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		x := "ferry_contract." + tag(t)
		p, err := c.Load(ctx(t), "res.partner", []string{"id", "name", "customer_rank"}, [][]string{{x + "_c", "Rank Customer", "1"}}, nil)
		require.NoError(t, err)
		mv, err := c.Load(ctx(t), "account.move", []string{"id", "move_type", "partner_id/id", "invoice_date", "invoice_line_ids/name", "invoice_line_ids/quantity", "invoice_line_ids/price_unit"},
			[][]string{{x + "_inv", "out_invoice", x + "_c", "2024-05-01", "Line", "2", "10"}}, nil)
		require.NoError(t, err)
		require.False(t, mv.RolledBack, "%+v", mv.Messages)
		_, err = c.Execute(ctx(t), "account.move", "action_post", []any{[]any{mv.IDs[0]}}, nil)
		require.NoError(t, err)
		recs, err := c.Read(ctx(t), "res.partner", p.IDs, []string{"customer_rank"})
		require.NoError(t, err)
		require.Equal(t, int64(2), recs[0]["customer_rank"])
		moves, err := c.Read(ctx(t), "account.move", mv.IDs, []string{"state", "name", "amount_untaxed"})
		require.NoError(t, err)
		require.Equal(t, "posted", moves[0]["state"])
		require.Equal(t, "INV/2024/", moves[0]["name"].(string)[:9], "the name follows the invoice date's year")
		require.Equal(t, 20.0, moves[0]["amount_untaxed"])
		_, _ = c.Execute(ctx(t), "account.move", "button_draft", []any{[]any{mv.IDs[0]}}, nil)
		_ = c.Unlink(ctx(t), "account.move", mv.IDs)
	})
}

func TestStockIsCountedThenApplied(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		x := "ferry_contract." + tag(t)
		p, err := c.Load(ctx(t), "product.product", []string{"id", "name", "type", "is_storable"}, [][]string{{x + "_p", "Counted Lamp", "consu", "1"}}, nil)
		require.NoError(t, err)
		if p.RolledBack && tg.sb == nil {
			t.Skipf("this user may not create products: %+v", p.Messages)
		}
		require.False(t, p.RolledBack, "%+v", p.Messages)
		_, stock, err := c.Resolve(ctx(t), "stock.stock_location_stock")
		require.NoError(t, err)
		q, err := c.Load(ctx(t), "stock.quant", []string{"id", "product_id/id", "location_id/.id", "inventory_quantity"},
			[][]string{{x + "_q", x + "_p", fmtID(stock), "12"}}, map[string]any{"inventory_mode": true})
		require.NoError(t, err)
		if q.RolledBack && tg.sb == nil {
			t.Skipf("this user may not count stock: %+v", q.Messages)
		}
		require.False(t, q.RolledBack, "%+v", q.Messages)
		before, err := c.Read(ctx(t), "stock.quant", q.IDs, []string{"quantity", "inventory_quantity", "inventory_quantity_set"})
		require.NoError(t, err)
		require.Equal(t, 0.0, before[0]["quantity"], "a count is not stock until it is applied")
		require.Equal(t, 12.0, before[0]["inventory_quantity"])
		_, err = c.Execute(ctx(t), "stock.quant", "action_apply_inventory", []any{[]any{q.IDs[0]}}, nil)
		require.NoError(t, err)
		after, err := c.Read(ctx(t), "stock.quant", q.IDs, []string{"quantity", "inventory_quantity_set"})
		require.NoError(t, err)
		require.Equal(t, 12.0, after[0]["quantity"])
		require.Equal(t, false, after[0]["inventory_quantity_set"])
	})
}

func fmtID(id int64) string { return fmt.Sprint(id) }
