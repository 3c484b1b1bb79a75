package contract

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// Odoo stores a monetary amount rounded by the currency of its record,
// named by fields_get's currency_field, and verification compares the same
// way. Checked on real Odoo 18 and 19: a draft payment of 12.345 in the
// company's currency reads back 12.35, one of 1234.56 in JPY (rounding 1,
// no decimals; inactive on a fresh database, which load does not mind)
// reads back 1235.0, and one loaded with an empty currency keeps 12.345
// (Odoo rounds only by a currency it knows when it writes).
func TestMonetaryAmountsRoundByTheirCurrency(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		x := "ferry_contract." + tag(t)
		defs, err := c.FieldsGet(ctx(t), "account.payment", []string{"type", "currency_field"})
		require.NoError(t, err)
		require.Equal(t, "monetary", defs["amount"]["type"])
		require.Equal(t, "currency_id", defs["amount"]["currency_field"])

		cols := []string{"id", "payment_type", "partner_type", "amount", "date", "journal_id/id"}
		pay, err := c.Load(ctx(t), "account.payment", cols, [][]string{{x + "_usual", "inbound", "customer", "12.345", "2023-03-15", "account.1_bank"}}, nil)
		require.NoError(t, err)
		require.False(t, pay.RolledBack, "%+v", pay.Messages)
		more, err := c.Load(ctx(t), "account.payment", append(cols, "currency_id/id"),
			[][]string{{x + "_jpy", "inbound", "customer", "1234.56", "2023-03-15", "account.1_bank", "base.JPY"},
				{x + "_none", "inbound", "customer", "12.345", "2023-03-15", "account.1_bank", ""}}, nil)
		require.NoError(t, err)
		require.False(t, more.RolledBack, "%+v", more.Messages)
		ids := append(pay.IDs, more.IDs...)
		t.Cleanup(func() { _, _ = c.Execute(ctx(t), "account.payment", "unlink", []any{ids}, nil) })
		got, err := c.Read(ctx(t), "account.payment", ids, []string{"amount", "currency_id"})
		require.NoError(t, err)
		require.Equal(t, 12.35, got[0]["amount"], "the company's currency, from the journal")
		require.Equal(t, 1235.0, got[1]["amount"])
		require.Equal(t, 12.345, got[2]["amount"], "an empty currency rounds nothing")
		require.Equal(t, false, got[2]["currency_id"])

		v := &verify.Verifier{Reader: c, Money: &verify.Money{R: c},
			Schema: func(string) map[string]verify.Field { return verify.FieldsOf(defs) }}
		row := func(id string, amount float64) verify.Expected {
			return verify.Expected{Row: record.Row{ExternalID: id, Model: "account.payment", Values: map[string]any{"amount": amount}}}
		}
		rows := []verify.Expected{row(x+"_usual", 12.345), row(x+"_jpy", 1234.56), row(x+"_usual", 12.34), row(x+"_jpy", 1234.4), row(x+"_none", 12.345)}
		for i, id := range []int64{ids[0], ids[1], ids[0], ids[1], ids[2]} {
			rows[i].ID = id
		}
		var res []verify.Result
		require.NoError(t, v.Batch(ctx(t), "account.payment", rows, func(r verify.Result) { res = append(res, r) }))
		require.Equal(t, verify.Match, res[0].Status, "%+v", res[0].Diffs)
		require.Equal(t, verify.Match, res[1].Status, "%+v", res[1].Diffs)
		require.Equal(t, []verify.FieldDiff{{Field: "amount", Want: "12.34", Got: "12.35"}}, res[2].Diffs)
		require.Equal(t, []verify.FieldDiff{{Field: "amount", Want: "1234", Got: "1235"}}, res[3].Diffs)
		require.Equal(t, verify.Match, res[4].Status, "%+v", res[4].Diffs)
	})
}
