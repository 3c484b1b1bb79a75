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

// A posted customer invoice books its journal items: the product line's
// subtotal as a credit on its account, and one payment term line carrying
// the total as a debit on the receivable account of the commercial
// partner, with its residual; invoice_line_ids shows only the product
// line. The opening-balance controls read these items.
func TestPostedInvoiceBooksItsJournalItems(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		x := "ferry_contract." + tag(t)
		p, err := c.Load(ctx(t), "res.partner", []string{"id", "name", "is_company"}, [][]string{{x + "_co", "Items Co", "1"}}, nil)
		require.NoError(t, err)
		require.False(t, p.RolledBack, "%+v", p.Messages)
		mv, err := c.Load(ctx(t), "account.move", []string{"id", "move_type", "partner_id/id", "invoice_date", "invoice_line_ids/name", "invoice_line_ids/quantity", "invoice_line_ids/price_unit", "invoice_line_ids/tax_ids/id"},
			[][]string{{x + "_inv", "out_invoice", x + "_co", "2023-12-31", "Open item", "1", "310.25", ""}}, nil)
		require.NoError(t, err)
		require.False(t, mv.RolledBack, "%+v", mv.Messages)
		_, err = c.Execute(ctx(t), "account.move", "action_post", []any{[]any{mv.IDs[0]}}, nil)
		require.NoError(t, err)
		moves, err := c.Read(ctx(t), "account.move", mv.IDs, []string{"line_ids", "invoice_line_ids"})
		require.NoError(t, err)
		require.Len(t, moves[0]["invoice_line_ids"], 1)
		ids := []int64{}
		for _, v := range moves[0]["line_ids"].([]any) {
			ids = append(ids, v.(int64))
		}
		lines, err := c.Read(ctx(t), "account.move.line", ids, []string{"display_type", "account_type", "debit", "credit", "balance", "amount_residual", "partner_id", "parent_state", "date"})
		require.NoError(t, err)
		byType := map[string]map[string]any{}
		for _, l := range lines {
			byType[l["display_type"].(string)] = l
		}
		require.Len(t, byType, 2, "a product line and a payment term line: %v", lines)
		prod, term := byType["product"], byType["payment_term"]
		require.Equal(t, 310.25, prod["credit"])
		require.Equal(t, -310.25, prod["balance"])
		require.Equal(t, 0.0, prod["amount_residual"])
		require.Equal(t, "asset_receivable", term["account_type"])
		require.Equal(t, 310.25, term["debit"])
		require.Equal(t, 310.25, term["amount_residual"])
		require.Equal(t, "posted", term["parent_state"])
		require.Equal(t, "2023-12-31", term["date"])
		require.Equal(t, p.IDs[0], firstID(term["partner_id"]))

		groups, err := c.ReadGroup(ctx(t), "account.move.line", odoo.Domain{[]any{"move_id", "=", mv.IDs[0]}, []any{"account_type", "=", "asset_receivable"}, []any{"date", "<=", "2023-12-31"}},
			[]string{"balance:sum"}, []string{"partner_id"})
		require.NoError(t, err)
		require.Len(t, groups, 1)
		sum, ok := groups[0]["balance:sum"] // formatted_read_group (19+)
		if !ok {
			sum = groups[0]["balance"] // read_group
		}
		require.Equal(t, 310.25, sum)

		_, _ = c.Execute(ctx(t), "account.move", "button_draft", []any{[]any{mv.IDs[0]}}, nil)
		_ = c.Unlink(ctx(t), "account.move", mv.IDs)
	})
}

func firstID(v any) int64 {
	if p, ok := v.([]any); ok && len(p) > 0 {
		id, _ := p[0].(int64)
		return id
	}
	return 0
}
