package verify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
)

type fakeResolver map[int64]string

func (f fakeResolver) XMLID(_ string, id int64) string { return f[id] }

var partnerFields = map[string]Field{
	"name":        {Name: "name", Type: "char", Digits: -1},
	"email":       {Name: "email", Type: "char", Digits: -1},
	"color":       {Name: "color", Type: "integer", Digits: -1},
	"credit":      {Name: "credit", Type: "monetary", Digits: 2},
	"active":      {Name: "active", Type: "boolean", Digits: -1},
	"comment":     {Name: "comment", Type: "html", Digits: -1},
	"country_id":  {Name: "country_id", Type: "many2one", Relation: "res.country"},
	"parent_id":   {Name: "parent_id", Type: "many2one", Relation: "res.partner"},
	"category_id": {Name: "category_id", Type: "many2many", Relation: "res.partner.category"},
	"child_ids":   {Name: "child_ids", Type: "one2many", Relation: "res.partner"},
}

func TestCompareFieldCanonicalForms(t *testing.T) {
	r := fakeResolver{21: "base.be", 7: "acme.customers_1", 8: "acme.tags_a", 9: "acme.tags_b"}
	cases := []struct {
		name      string
		field     string
		want, got any
		equal     bool
	}{
		{"empty char reads false", "email", nil, false, true},
		{"empty string equals false", "email", "", false, true},
		{"chars are not trimmed", "name", "Acme ", "Acme", false},
		{"empty integer reads 0", "color", nil, int64(0), true},
		{"integer differs", "color", int64(3), int64(4), false},
		{"monetary at digits", "credit", 10.004, 10.0, true},
		{"monetary off by a cent", "credit", 10.01, 10.0, false},
		{"empty monetary reads 0.0", "credit", nil, 0.0, true},
		{"boolean empty is false", "active", nil, false, true},
		{"html wrapped in p", "comment", "hello", "<p>hello</p>", true},
		{"html script stripped", "comment", "<p>x</p><script>alert(1)</script>", "<p>x</p>", true},
		{"many2one by xmlid", "country_id", record.Ref{ExternalID: "base.be"}, []any{int64(21), "Belgium"}, true},
		{"many2one wrong record", "country_id", record.Ref{ExternalID: "base.be"}, []any{int64(22), "France"}, false},
		{"many2one by id", "parent_id", record.Ref{ID: 7}, []any{int64(7), "Acme"}, true},
		{"many2one empty", "parent_id", nil, false, true},
		{"many2one should be empty", "parent_id", nil, []any{int64(7), "Acme"}, false},
		{"many2many as sets", "category_id", []record.Ref{{ExternalID: "acme.tags_b"}, {ExternalID: "acme.tags_a"}}, []any{int64(8), int64(9)}, true},
		{"many2many missing one", "category_id", []record.Ref{{ExternalID: "acme.tags_b"}, {ExternalID: "acme.tags_a"}}, []any{int64(8)}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, g, eq := compareField(partnerFields[tc.field], tc.want, tc.got, r)
			require.Equal(t, tc.equal, eq, "want %q got %q", w, g)
		})
	}
}

func TestCompareRowListsEveryDifference(t *testing.T) {
	want := record.Row{Entity: "customers", Model: "res.partner", ExternalID: "acme.customers_1",
		Values: map[string]any{"name": "Acme", "color": int64(2), "email": nil},
		Lines:  map[string][]record.Row{"child_ids": {{ExternalID: "acme.customers_1_c1"}}}}
	got := map[string]any{"id": int64(7), "name": "ACME", "color": int64(2), "email": false, "child_ids": []any{}}
	res := CompareRow(partnerFields, want, got, nil, fakeResolver{}, nil)
	require.Equal(t, Differ, res.Status)
	require.EqualValues(t, 7, res.ID)
	require.Len(t, res.Diffs, 2)
	require.Equal(t, "child_ids", res.Diffs[0].Field)
	require.Equal(t, FieldDiff{Field: "name", Want: "Acme", Got: "ACME"}, res.Diffs[1])

	res = CompareRow(partnerFields, want, got, map[string]bool{"name": true, "child_ids": true}, nil, nil)
	require.Equal(t, Match, res.Status)
}

type fakeReader map[int64]map[string]any

func (f fakeReader) Read(_ context.Context, _ string, ids []int64, _ []string) ([]map[string]any, error) {
	var out []map[string]any
	for _, id := range ids {
		if r, ok := f[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func TestBatchFindsMissingAndExtra(t *testing.T) {
	v := &Verifier{
		Reader: fakeReader{1: {"id": int64(1), "name": "A"}, 2: {"id": int64(2), "name": "B!"}},
		Schema: func(string) map[string]Field { return partnerFields },
	}
	rows := []Expected{
		{Row: record.Row{ExternalID: "n.c_1", Values: map[string]any{"name": "A"}}, ID: 1},
		{Row: record.Row{ExternalID: "n.c_2", Values: map[string]any{"name": "B"}}, ID: 2},
		{Row: record.Row{ExternalID: "n.c_3", Values: map[string]any{"name": "C"}}, ID: 3}, // deleted in Odoo
		{Row: record.Row{ExternalID: "n.c_4", Values: map[string]any{"name": "D"}}},        // never loaded
	}
	var got []Status
	require.NoError(t, v.Batch(context.Background(), "res.partner", rows, func(r Result) { got = append(got, r.Status) }))
	require.Equal(t, []Status{Match, Differ, Missing, Missing}, got)

	extras := Extras("c", "res.partner", map[string]bool{"n.c_1": true}, map[string]int64{"n.c_1": 1, "n.c_9": 9})
	require.Len(t, extras, 1)
	require.Equal(t, "n.c_9", extras[0].ExternalID)
}
