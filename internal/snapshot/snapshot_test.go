package snapshot

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type fakeOdoo struct {
	fields map[string]FieldInfo
	recs   []map[string]any
}

func (f *fakeOdoo) Fields(context.Context, string) (map[string]FieldInfo, error) {
	return f.fields, nil
}
func (f *fakeOdoo) Count(context.Context, string, []any) (int64, error) {
	return int64(len(f.recs)), nil
}
func (f *fakeOdoo) Pages(_ context.Context, _ string, _ []any, _ []string, fn func([]map[string]any) error) error {
	return fn(f.recs)
}

func invoices(amounts ...float64) *fakeOdoo {
	f := &fakeOdoo{fields: map[string]FieldInfo{
		"name": {Type: "char", Store: true}, "amount_total": {Type: "monetary", Store: true},
		"partner_id": {Type: "many2one", Store: true}, "write_date": {Type: "datetime", Store: true},
		"amount_due": {Type: "monetary", Store: false},
	}}
	for i, a := range amounts {
		f.recs = append(f.recs, map[string]any{"id": int64(i + 1), "name": "INV", "amount_total": a, "partner_id": []any{int64(3), "Acme"}})
	}
	return f
}

func take(t *testing.T, f *fakeOdoo, model string) *Snapshot {
	t.Helper()
	s, err := Take(context.Background(), f, Options{Models: []string{model}, Fingerprint: map[string]bool{model: true}})
	require.NoError(t, err)
	return s
}

func TestCompareFindsLostAddedChangedAndTotals(t *testing.T) {
	before := take(t, invoices(10, 20, 30), "account.invoice")
	require.Equal(t, []string{"amount_total", "name", "partner_id"}, before.Models["account.invoice"].Fields)

	after := invoices(10, 25, 30, 40)
	after.recs = append(after.recs[:0:0], after.recs[1:]...) // id 1 lost; ids 2,3,4 remain
	afterSnap := take(t, after, "account.move")

	m := &Map{Models: map[string]ModelMap{"account.invoice": {To: "account.move"}}}
	diffs := Compare(before, afterSnap, m)
	require.Len(t, diffs, 1)
	d := diffs[0]
	require.Equal(t, "account.move", d.After)
	require.Equal(t, []int64{1}, d.Lost)
	require.Equal(t, []int64{4}, d.Added)
	require.Equal(t, []Change{{ID: 2, Fields: []string{"amount_total"}}}, d.Changed)
	require.Equal(t, []TotalChange{{Field: "amount_total", Before: 60, After: 95}}, d.Totals)
	require.False(t, d.Clean())
}

func TestUnchangedDatabaseComparesClean(t *testing.T) {
	a, b := take(t, invoices(1, 2), "m"), take(t, invoices(1, 2), "m")
	b.Models["m"].Records[1]["partner_id"] = FieldHash([]any{float64(3), "Acme Renamed"}) // display name change is not a change
	path := filepath.Join(t.TempDir(), "s.json")
	require.NoError(t, Write(path, b))
	b2, err := Read(path)
	require.NoError(t, err)
	for _, d := range Compare(a, b2, nil) {
		require.True(t, d.Clean(), "%+v", d)
	}
}

func TestMissingModelAfterIsReported(t *testing.T) {
	d := Compare(take(t, invoices(1), "account.invoice"), &Snapshot{Models: map[string]Model{}}, nil)
	require.True(t, d[0].MissingAll)
	require.False(t, d[0].Clean())
}
