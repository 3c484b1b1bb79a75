package load

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
)

func TestEncode(t *testing.T) {
	cases := []struct {
		name string
		keep []string
		rows []*record.Row // encoded in order with one encoder; the last is checked
		want *Encoded
		err  string
	}{
		{
			name: "scalars",
			rows: []*record.Row{{ExternalID: "ns.c_1", Values: map[string]any{
				"name": "Acme", "is_company": true, "active": false, "credit": 1234.5, "rank": int64(3), "zip": nil}}},
			want: &Encoded{Columns: []string{"id", "active", "credit", "is_company", "name", "rank", "zip"},
				Rows: [][]string{{"ns.c_1", "0", "1234.5", "1", "Acme", "3", ""}}},
		},
		{
			name: "references",
			rows: []*record.Row{{ExternalID: "ns.c_1", Values: map[string]any{
				"parent_id":   record.Ref{ExternalID: "ns.c_0"},
				"country_id":  record.Ref{ID: 75},
				"category_id": []record.Ref{{ExternalID: "ns.t_1"}, {ExternalID: "ns.t_2"}},
				"tag_ids":     []record.Ref{{ID: 4}, {ID: 5}},
			}}},
			want: &Encoded{Columns: []string{"id", "category_id/id", "country_id/.id", "parent_id/id", "tag_ids/.id"},
				Rows: [][]string{{"ns.c_1", "ns.t_1,ns.t_2", "75", "ns.c_0", "4,5"}}},
		},
		{
			name: "an empty reference takes the form seen before",
			rows: []*record.Row{
				{ExternalID: "ns.c_1", Values: map[string]any{"parent_id": record.Ref{ExternalID: "ns.c_0"}}},
				{ExternalID: "ns.c_2", Values: map[string]any{"parent_id": nil}},
			},
			want: &Encoded{Columns: []string{"id", "parent_id/id"}, Rows: [][]string{{"ns.c_2", ""}}},
		},
		{
			name: "empty reference never seen filled",
			rows: []*record.Row{{ExternalID: "ns.c_2", Values: map[string]any{"parent_id": nil}}},
			want: &Encoded{Columns: []string{"id", "parent_id"}, Rows: [][]string{{"ns.c_2", ""}}},
		},
		{
			name: "keep target when empty",
			keep: []string{"phone"},
			rows: []*record.Row{{ExternalID: "ns.c_1", Values: map[string]any{"phone": nil, "email": nil, "name": "A"}}},
			want: &Encoded{Columns: []string{"id", "email", "name"}, Rows: [][]string{{"ns.c_1", "", "A"}}},
		},
		{
			name: "one2many lines as a record span",
			rows: []*record.Row{{ExternalID: "ns.i_1", Values: map[string]any{"partner_id": record.Ref{ExternalID: "ns.c_1"}},
				Lines: map[string][]record.Row{"invoice_line_ids": {
					{ExternalID: "ns.i_1_1", Values: map[string]any{"product_id": nil, "quantity": 2.0}},
					{ExternalID: "ns.i_1_2", Values: map[string]any{"product_id": record.Ref{ExternalID: "ns.p_9"}, "quantity": 1.5}},
				}}}},
			want: &Encoded{
				Columns: []string{"id", "invoice_line_ids/id", "invoice_line_ids/product_id/id", "invoice_line_ids/quantity", "partner_id/id"},
				Rows: [][]string{
					{"ns.i_1", "ns.i_1_1", "", "2", "ns.c_1"},
					{"", "ns.i_1_2", "ns.p_9", "1.5", ""},
				}},
		},
		{
			name: "mixed many2many",
			rows: []*record.Row{{ExternalID: "ns.c_1", Values: map[string]any{"tag_ids": []record.Ref{{ID: 4}, {ExternalID: "ns.t_1"}}}}},
			err:  "tag_ids mixes external IDs and database ids",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEncoder(tc.keep)
			var got *Encoded
			var err error
			for _, r := range tc.rows {
				got, err = e.Encode(r)
			}
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestFingerprintIgnoresPosition(t *testing.T) {
	a := &record.Row{Model: "res.partner", ExternalID: "ns.c_1", Values: map[string]any{"name": "A", "x": int64(1)}, Pos: record.Position{Line: 2}}
	b := &record.Row{Model: "res.partner", ExternalID: "ns.c_1", Values: map[string]any{"x": int64(1), "name": "A"}, Pos: record.Position{Line: 9}}
	c := &record.Row{Model: "res.partner", ExternalID: "ns.c_1", Values: map[string]any{"x": int64(2), "name": "A"}}
	require.Equal(t, Fingerprint(a), Fingerprint(b))
	require.NotEqual(t, Fingerprint(a), Fingerprint(c))
}

func TestAttribute(t *testing.T) {
	msg := func(from, to int, field, text string) odoo.LoadMessage {
		return odoo.LoadMessage{Type: "error", From: from, To: to, Field: field, Message: text}
	}
	cases := []struct {
		name  string
		spans []int
		msgs  []odoo.LoadMessage
		want  map[int][]string
	}{
		{"one row per record", []int{1, 1, 1}, []odoo.LoadMessage{msg(1, 1, "email", "bad")}, map[int][]string{1: {"bad"}}},
		{"sub-rows map to their record", []int{1, 3, 2}, []odoo.LoadMessage{msg(3, 3, "lines", "l"), msg(4, 5, "name", "n")},
			map[int][]string{1: {"l"}, 2: {"n"}}},
		{"two messages on one record", []int{2}, []odoo.LoadMessage{msg(0, 0, "a", "x"), msg(1, 1, "b", "y")}, map[int][]string{0: {"x", "y"}}},
		{"row 0 without field may be global", []int{1, 1}, []odoo.LoadMessage{msg(0, 0, "", "global")}, map[int][]string{}},
		{"outside the data", []int{1, 1}, []odoo.LoadMessage{msg(2, 2, "f", "x")}, map[int][]string{}},
		{"warnings are not errors", []int{1}, []odoo.LoadMessage{{Type: "warning", From: 0, To: 0, Field: "f", Message: "w"}}, map[int][]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Attribute(tc.spans, tc.msgs))
		})
	}
}

func benchRow() *record.Row {
	return &record.Row{Model: "res.partner", ExternalID: "ns.customers_C00042", Values: map[string]any{
		"name": "Müller GmbH", "email": "info@mueller.example", "phone": "+49 30 1234567", "street": "Hauptstr. 1",
		"zip": "10115", "city": "Berlin", "country_id": record.Ref{ID: 57}, "is_company": true, "customer_rank": int64(1),
		"parent_id": record.Ref{ExternalID: "ns.customers_C00001"}, "vat": "DE123456789", "credit_limit": 5000.0}}
}

// BenchmarkEncodeAndFingerprint measures the loader's own CPU per record
// (the target is at most 50 µs).
func BenchmarkEncodeAndFingerprint(b *testing.B) {
	r := benchRow()
	e := NewEncoder(nil)
	b.ReportAllocs()
	for b.Loop() {
		_ = Fingerprint(r)
		if _, err := e.Encode(r); err != nil {
			b.Fatal(err)
		}
	}
}
