package verify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
)

// deniedLines answers account.move reads but refuses journal items, as
// Odoo does for a user without accounting rights.
type deniedLines struct{ fakeReader }

func (deniedLines) Each(context.Context, string, odoo.Domain, []string, int, func(map[string]any) error) error {
	return &odoo.Error{Kind: odoo.KindAccess, Class: "odoo.exceptions.AccessError",
		Message: "You are not allowed to access 'Journal Item' (account.move.line) records.\n\nThis operation is allowed for the following groups: …"}
}
func (deniedLines) FieldsGet(context.Context, string, []string) (map[string]map[string]any, error) {
	return nil, nil
}
func (deniedLines) ReadGroup(context.Context, string, odoo.Domain, []string, []string) ([]map[string]any, error) {
	return nil, nil
}

// Without the right to read journal items the line-based controls say
// "not checked" with the right they need; none passes.
func TestAccountingControlsWithoutRightsAreNotChecked(t *testing.T) {
	r := &runner{t: deniedLines{fakeReader{7: {"id": int64(7), "move_type": "out_invoice", "amount_untaxed": 10.0}}},
		ix: &index{byXML: map[string]int64{"ns.inv_1": 7}, byID: map[string]map[int64]string{"account.move": {7: "ns.inv_1"}}}}
	r.moves.addMove(&record.Row{ExternalID: "ns.inv_1", Model: "account.move", Values: map[string]any{"move_type": "out_invoice", "invoice_date": "2024-03-01"},
		Lines: map[string][]record.Row{"invoice_line_ids": {{Values: map[string]any{"quantity": 2.0, "price_unit": 5.0}}}}})
	res, err := r.accountingControls(context.Background())
	require.NoError(t, err)
	require.Len(t, res, 2)
	require.Equal(t, NotChecked, res[0].Status, res[0].Name)
	require.Contains(t, res[0].Reason, "needs read access to journal entries and their lines")
	require.Contains(t, res[0].Reason, "account.move.line")
	require.Equal(t, Match, res[1].Status, "invoice totals come from account.move, which the user may read")
}
