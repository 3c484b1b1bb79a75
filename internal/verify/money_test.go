package verify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
)

// modelReader answers reads per model, recording which fields were asked.
type modelReader struct {
	recs  map[string]fakeReader
	asked map[string][]string
}

func (m *modelReader) Read(ctx context.Context, model string, ids []int64, fields []string) ([]map[string]any, error) {
	m.asked[model] = fields
	return m.recs[model].Read(ctx, model, ids, fields)
}

// A monetary amount is stored rounded by its record's currency: the
// wanted value compares after the same rounding (EUR at 0.01, JPY at 1,
// a cash currency at 0.05), and a real difference still shows.
func TestMonetaryRoundsByTheRecordsCurrency(t *testing.T) {
	schema := map[string]Field{
		"debit":               {Name: "debit", Type: "monetary", Digits: -1, Currency: "company_currency_id"},
		"amount_currency":     {Name: "amount_currency", Type: "monetary", Digits: -1, Currency: "currency_id"},
		"company_currency_id": {Name: "company_currency_id", Type: "many2one", Relation: "res.currency", Digits: -1},
		"currency_id":         {Name: "currency_id", Type: "many2one", Relation: "res.currency", Digits: -1},
	}
	r := &modelReader{asked: map[string][]string{}, recs: map[string]fakeReader{
		"account.move.line": {
			1: {"id": int64(1), "debit": 12.5, "amount_currency": 1667.0, "company_currency_id": []any{int64(1), "EUR"}, "currency_id": []any{int64(2), "JPY"}},
			2: {"id": int64(2), "debit": 12.5, "amount_currency": 10.05, "company_currency_id": []any{int64(1), "EUR"}, "currency_id": []any{int64(3), "CHF"}},
			3: {"id": int64(3), "debit": 12.51, "amount_currency": 0.0, "company_currency_id": []any{int64(1), "EUR"}, "currency_id": false},
		},
		"res.currency": {
			1: {"id": int64(1), "rounding": 0.01, "decimal_places": int64(2)},
			2: {"id": int64(2), "rounding": 1.0, "decimal_places": int64(0)},
			3: {"id": int64(3), "rounding": 0.05, "decimal_places": int64(2)},
		},
	}}
	v := &Verifier{Reader: r, Schema: func(string) map[string]Field { return schema }, Money: &Money{R: r}}
	row := func(x string, debit, amount float64) record.Row {
		return record.Row{ExternalID: x, Model: "account.move.line", Values: map[string]any{"debit": debit, "amount_currency": amount}}
	}
	rows := []Expected{
		{Row: row("n.l_1", 12.499, 1666.5), ID: 1}, // EUR 12.50, JPY 1667
		{Row: row("n.l_2", 12.504, 10.03), ID: 2},  // CHF steps of 0.05: 10.05
		{Row: row("n.l_3", 12.499, 0), ID: 3},      // 12.50 is not 12.51
	}
	var got []Result
	require.NoError(t, v.Batch(context.Background(), "account.move.line", rows, func(res Result) { got = append(got, res) }))
	require.Equal(t, Match, got[0].Status, "%+v", got[0].Diffs)
	require.Equal(t, Match, got[1].Status, "%+v", got[1].Diffs)
	require.Equal(t, []FieldDiff{{Field: "debit", Want: "12.50", Got: "12.51"}}, got[2].Diffs)
	require.Equal(t, []string{"amount_currency", "company_currency_id", "currency_id", "debit"}, r.asked["account.move.line"], "the currencies are read with the amounts")

	// Without Money (or currencies it cannot know), amounts compare as written.
	v.Money = nil
	got = nil
	require.NoError(t, v.Batch(context.Background(), "account.move.line", rows[:1], func(res Result) { got = append(got, res) }))
	require.Equal(t, Differ, got[0].Status)
}
