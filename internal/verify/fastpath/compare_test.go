package fastpath

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/verify"
	"github.com/ferry-migrate/ferry/internal/verify/fastpath/fastpathtest"
)

// insert writes one row; values are SQL parameters, cast by the column.
func insert(t testing.TB, conn *pgx.Conn, table string, row map[string]any) {
	t.Helper()
	cols := make([]string, 0, len(row))
	for c := range row {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	args, marks := make([]any, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		args[i], marks[i] = row[c], fmt.Sprintf("$%d", i+1)
	}
	exec(t, conn, fmt.Sprintf(`INSERT INTO %s ("%s") VALUES (%s)`, table, strings.Join(cols, `", "`), strings.Join(marks, ", ")), args...)
}

var partnerFieldNames = []string{"category_id", "city", "color", "country_id", "email", "is_company", "name", "parent_id", "street"}

// partnerWorld is a company, its contact and n people, with tags.
type partnerWorld struct {
	ids  *ids
	recs []Record
	spec Spec
	rows map[string]record.Row
}

func (w *partnerWorld) record(t testing.TB, row record.Row, id int64) Record {
	want := make([]string, len(w.spec.Fields))
	for i, f := range w.spec.Fields {
		want[i] = WantToken(row.Model, f, row.Values[f.Name], w.ids)
	}
	return Record{Entity: row.Entity, ExternalID: row.ExternalID, ID: id, Want: want}
}

func newPartnerWorld(t testing.TB, conn *pgx.Conn, n int) *partnerWorld {
	w := &partnerWorld{ids: newIDs(), rows: map[string]record.Row{},
		spec: Spec{Model: "res.partner", Fields: fastpathtest.Fields("res.partner", partnerFieldNames...)}}
	tags := map[string]int64{}
	for i := int64(1); i <= 3; i++ {
		insert(t, conn, "res_partner_category", map[string]any{"id": i, "name": fmt.Sprintf(`{"en_US": "Tag %d"}`, i)})
		x := fmt.Sprintf("t.tags_%d", i)
		tags[x] = i
		w.ids.put(x, "res.partner.category", i)
	}
	putXMLIDs(t, conn, "res.partner.category", tags)
	partners := map[string]int64{}
	add := func(id int64, db map[string]any, values map[string]any) {
		db["id"] = id
		insert(t, conn, "res_partner", db)
		x := fmt.Sprintf("t.customers_%d", id)
		partners[x] = id
		w.ids.put(x, "res.partner", id)
		row := record.Row{Entity: "customers", Model: "res.partner", ExternalID: x, Values: values}
		w.rows[x] = row
		w.recs = append(w.recs, w.record(t, row, id))
	}
	add(1, map[string]any{"name": "Acme", "is_company": true, "city": "Madrid", "street": "Calle 1", "country_id": 69, "type": "contact"},
		map[string]any{"name": "Acme", "is_company": true, "city": "Madrid", "street": "Calle 1", "country_id": record.Ref{ID: 69}, "email": nil, "color": nil, "parent_id": nil, "category_id": []record.Ref{}})
	// a contact: Odoo copied the company's address into the fields its row leaves empty
	add(2, map[string]any{"name": "Ana", "parent_id": 1, "type": "contact", "city": "Madrid", "street": "Calle 1", "country_id": 69, "email": "ana@acme.example"},
		map[string]any{"name": "Ana", "parent_id": record.Ref{ExternalID: "t.customers_1"}, "email": "ana@acme.example", "city": "", "street": nil, "country_id": nil, "is_company": false, "color": int64(0), "category_id": nil})
	for i := int64(3); i <= int64(n); i++ {
		tag := 1 + i%3 // every person has tag 3, two thirds another one too
		exec(t, conn, "INSERT INTO res_partner_res_partner_category_rel (partner_id, category_id) SELECT $1, c FROM unnest(ARRAY[$2::int, 3]) c GROUP BY c", i, tag)
		tagRefs := []record.Ref{{ExternalID: "t.tags_3"}}
		if tag != 3 {
			tagRefs = append(tagRefs, record.Ref{ExternalID: fmt.Sprintf("t.tags_%d", tag)})
		}
		add(i, map[string]any{"name": fmt.Sprintf("Person %d ✓", i), "email": fmt.Sprintf("p%d@example.com", i), "color": i % 11, "type": "contact"},
			map[string]any{"name": fmt.Sprintf("Person %d ✓", i), "email": fmt.Sprintf("p%d@example.com", i), "color": i % 11, "is_company": false,
				"city": nil, "street": "", "country_id": nil, "parent_id": nil, "category_id": tagRefs})
	}
	putXMLIDs(t, conn, "res.partner", partners)
	return w
}

func TestIntegrationComparePartners(t *testing.T) {
	db, c := newFixture(t, Options{Fanout: 4, LeafSize: 4})
	w := newPartnerWorld(t, db.Conn, 60)
	got, st := collect(t, c, w.spec, w.recs, w.ids)
	for x, r := range got {
		require.Equal(t, verify.Match, r.Status, "%s: %+v", x, r.Diffs)
	}
	require.Equal(t, 1, st.Queries, "an unchanged model takes one query")

	exec(t, db.Conn, "UPDATE res_partner SET city = 'Nowhere' WHERE id = 5")
	exec(t, db.Conn, "DELETE FROM res_partner WHERE id = 6")
	exec(t, db.Conn, "DELETE FROM ir_model_data WHERE name = 'customers_7'")
	exec(t, db.Conn, "DELETE FROM res_partner_res_partner_category_rel WHERE partner_id = 8 AND category_id = 3")
	exec(t, db.Conn, "UPDATE res_partner SET street = 'Elsewhere' WHERE id = 2") // still excused: the row leaves it empty
	exec(t, db.Conn, "UPDATE res_partner SET email = NULL WHERE id = 2")
	exec(t, db.Conn, "UPDATE res_partner SET color = 0, name = 'Acme' WHERE id = 1") // no change in canonical form
	for i := range w.recs {
		if w.recs[i].ExternalID == "t.customers_10" {
			w.recs[i].ID = 999 // a stale ledger id: the record is still there
		}
	}
	got, st = collect(t, c, w.spec, w.recs, w.ids)
	want := map[string]verify.Result{
		"t.customers_5": {Status: verify.Differ, ID: 5, Diffs: []verify.FieldDiff{{Field: "city", Want: "", Got: "Nowhere"}}},
		"t.customers_6": {Status: verify.Missing, ID: 6},
		"t.customers_7": {Status: verify.Missing, ID: 7},
		"t.customers_8": {Status: verify.Differ, ID: 8, Diffs: []verify.FieldDiff{{Field: "category_id", Want: "xmlid:t.tags_3", Got: ""}}},
		"t.customers_2": {Status: verify.Differ, ID: 2, Diffs: []verify.FieldDiff{{Field: "email", Want: "ana@acme.example", Got: ""}}},
	}
	for x, r := range got {
		w, ok := want[x]
		if !ok {
			require.Equal(t, verify.Match, r.Status, "%s: %+v", x, r.Diffs)
			continue
		}
		require.Equal(t, w.Status, r.Status, x)
		require.Equal(t, w.ID, r.ID, x)
		require.Equal(t, w.Diffs, r.Diffs, x)
	}
	// the same with three connections sharing every query and one snapshot
	par, err := Open(context.Background(), db.DSN, Options{Fanout: 4, LeafSize: 4, Workers: 3})
	require.NoError(t, err)
	defer par.Close(context.Background())
	par.parallelMin, par.detailChunk = 1, 2
	exec(t, db.Conn, "UPDATE res_partner SET city = 'Nowhere' WHERE id = 5") // a no-op write: the snapshot is the same
	gotPar, stPar := collect(t, par, w.spec, w.recs, w.ids)
	require.Equal(t, got, gotPar)
	require.Greater(t, stPar.Queries, st.Queries)
	require.Equal(t, verify.Match, got["t.customers_10"].Status)
	require.EqualValues(t, 10, got["t.customers_10"].ID, "the record Odoo holds, not the ledger's stale id")
	require.Greater(t, st.Levels, 1)
	require.Less(t, st.Detailed, len(w.recs))

	// a record under the namespace that no expected row claims
	putXMLIDs(t, db.Conn, "res.partner", map[string]int64{"t.customers_ZZ": 3, "t.customers2_1": 4})
	extras, err := c.Extras(context.Background(), "t", "res.partner", "customers_", w.recs, "customers")
	require.NoError(t, err)
	require.Equal(t, []verify.Result{{Entity: "customers", Model: "res.partner", ExternalID: "t.customers_ZZ", ID: 3, Status: verify.Extra}}, extras)
}

// The RPC comparison decides the same way on the same records: the fast
// path's verdicts are verify's, not an approximation.
func TestIntegrationVerdictsMatchCompareRow(t *testing.T) {
	db, c := newFixture(t, Options{})
	w := newPartnerWorld(t, db.Conn, 12)
	exec(t, db.Conn, "UPDATE res_partner SET city = 'Nowhere', street = NULL WHERE id IN (1, 4)")
	exec(t, db.Conn, "UPDATE res_partner SET parent_id = NULL WHERE id = 2")
	got, _ := collect(t, c, w.spec, w.recs, w.ids)
	schema := map[string]verify.Field{}
	for _, f := range w.spec.Fields {
		schema[f.Name] = f
	}
	for x, row := range w.rows {
		read := readPartner(t, db.Conn, w.ids.byXML[x])
		rpc := verify.CompareRow(schema, row, read, nil, w.ids, nil)
		require.Equal(t, rpc.Status, got[x].Status, "%s: rpc %+v, fast path %+v", x, rpc.Diffs, got[x].Diffs)
		require.Equal(t, len(rpc.Diffs), len(got[x].Diffs), x)
		for i := range rpc.Diffs {
			require.Equal(t, rpc.Diffs[i].Field, got[x].Diffs[i].Field, x)
		}
	}
}

// readPartner reads a partner the way Odoo's read returns it over RPC.
func readPartner(t testing.TB, conn *pgx.Conn, id int64) map[string]any {
	var name, email, city, street, typ *string
	var color *int64
	var isCompany *bool
	var country, parent *int64
	var tags []int64
	err := conn.QueryRow(context.Background(), `SELECT name, email, city, street, type, color, is_company, country_id, parent_id,
		ARRAY(SELECT category_id::int8 FROM res_partner_res_partner_category_rel WHERE partner_id = $1 ORDER BY 1)
		FROM res_partner WHERE id = $1`, id).Scan(&name, &email, &city, &street, &typ, &color, &isCompany, &country, &parent, &tags)
	require.NoError(t, err)
	or := func(p *string) any {
		if p == nil {
			return false
		}
		return *p
	}
	m2o := func(p *int64) any {
		if p == nil {
			return false
		}
		return []any{*p, "name"}
	}
	tagIDs := make([]any, len(tags))
	for i, n := range tags {
		tagIDs[i] = n
	}
	rec := map[string]any{"id": id, "name": or(name), "email": or(email), "city": or(city), "street": or(street), "type": or(typ),
		"color": int64(0), "is_company": isCompany != nil && *isCompany, "country_id": m2o(country), "parent_id": m2o(parent), "category_id": tagIDs}
	if color != nil {
		rec["color"] = *color
	}
	return rec
}

func TestIntegrationSupports(t *testing.T) {
	_, c := newFixture(t, Options{})
	ctx := context.Background()
	cases := []struct {
		model  string
		fields []string
		reason string
	}{
		{"res.partner", partnerFieldNames, ""},
		{"res.partner", []string{"name", "comment"}, "field comment is html"},
		{"res.partner", []string{"barcode"}, "field barcode is company-dependent"},
		{"res.partner", []string{"channel_ids"}, ""},
		{"product.product", []string{"name", "default_code", "list_price", "taxes_id", "categ_id", "is_storable", "type"}, ""},
		{"product.product", []string{"standard_price"}, "field standard_price is company-dependent"},
		{"product.template", []string{"name", "description"}, "field description is html"},
		{fastpathtest.Probe, []string{"x_name", "x_char", "x_text", "x_sel", "x_int", "x_float", "x_price", "x_amount", "x_flag", "x_date", "x_stamp", "x_partner_id", "x_tag_ids"}, ""},
	}
	for _, tc := range cases {
		reason, err := c.Supports(ctx, tc.model, fastpathtest.Fields(tc.model, tc.fields...))
		require.NoError(t, err)
		if tc.reason == "" {
			require.Empty(t, reason, tc.model)
		} else {
			require.Contains(t, reason, tc.reason)
		}
	}
	reason, err := c.Supports(ctx, fastpathtest.Probe, []verify.Field{{Name: "x_amount", Type: "monetary", Currency: "currency_id"}})
	require.NoError(t, err)
	require.Contains(t, reason, "field x_amount is monetary: Odoo rounds it by each record's currency (currency_id)")
	reason, err = c.Supports(ctx, "account.move", []verify.Field{{Name: "name", Type: "char"}})
	require.NoError(t, err)
	require.Equal(t, "no table account_move in the database", reason)
	reason, err = c.Supports(ctx, "res.partner", []verify.Field{{Name: "child_ids", Type: "one2many", Relation: "res.partner"}})
	require.NoError(t, err)
	require.Contains(t, reason, "one2many")
}

// product.product reads its template's fields through product_tmpl_id:
// a translated name (jsonb), a price, taxes in the template's table.
func TestIntegrationInheritedAndTranslatedFields(t *testing.T) {
	db, _ := newFixture(t, Options{})
	ctx := context.Background()
	insert(t, db.Conn, "product_template", map[string]any{"id": 10, "name": `{"en_US": "Chair", "fr_FR": "Chaise"}`, "list_price": "12.50", "type": "consu"})
	insert(t, db.Conn, "product_template", map[string]any{"id": 11, "name": `{"en_US": "Table"}`, "list_price": "0", "type": "service"})
	insert(t, db.Conn, "product_product", map[string]any{"id": 20, "product_tmpl_id": 10, "default_code": "CH-1"})
	insert(t, db.Conn, "product_product", map[string]any{"id": 21, "product_tmpl_id": 11, "default_code": nil})
	exec(t, db.Conn, "INSERT INTO product_taxes_rel (prod_id, tax_id) VALUES (10, 7), (10, 3)")
	putXMLIDs(t, db.Conn, "product.product", map[string]int64{"t.products_1": 20, "t.products_2": 21})
	spec := Spec{Model: "product.product", Fields: fastpathtest.Fields("product.product", "default_code", "list_price", "name", "taxes_id", "type")}
	want := func(lang string) []Record {
		chair, table := "Chair", "Table"
		if lang == "fr_FR" {
			chair = "Chaise"
		}
		return []Record{
			{ExternalID: "t.products_1", ID: 20, Want: []string{"CH-1", "12.5", chair, "3,7", "consu"}},
			{ExternalID: "t.products_2", ID: 21, Want: []string{"", "0", table, "", "service"}},
		}
	}
	for _, lang := range []string{"en_US", "fr_FR"} {
		c, err := New(ctx, db.Conn, Options{Lang: lang})
		require.NoError(t, err)
		got, _ := collect(t, c, spec, want(lang), nil)
		for x, r := range got {
			require.Equal(t, verify.Match, r.Status, "%s %s: %+v", lang, x, r.Diffs)
		}
	}
	// Odoo 19 names the kind of translation in ir_model_fields.translate ('standard',
	// 'html_translate'…; empty for none) where 18 has a boolean
	exec(t, db.Conn, `ALTER TABLE ir_model_fields ALTER COLUMN translate TYPE varchar USING CASE WHEN translate THEN 'standard' END`)
	c19, err := New(ctx, db.Conn, Options{Lang: "fr_FR"})
	require.NoError(t, err)
	got19, _ := collect(t, c19, spec, want("fr_FR"), nil)
	for x, r := range got19 {
		require.Equal(t, verify.Match, r.Status, "19-shaped catalog %s: %+v", x, r.Diffs)
	}
	exec(t, db.Conn, `UPDATE product_template SET name = '{"en_US": "Chair"}' WHERE id = 10`)
	c, err := New(ctx, db.Conn, Options{Lang: "fr_FR"})
	require.NoError(t, err)
	got, _ := collect(t, c, spec, want("fr_FR"), nil)
	require.Equal(t, []verify.FieldDiff{{Field: "name", Want: "Chaise", Got: "Chair"}}, got["t.products_1"].Diffs)
}

func TestIntegrationOpenIsReadOnly(t *testing.T) {
	db, _ := newFixture(t, Options{})
	ctx := context.Background()
	c, err := Open(ctx, db.DSN, Options{})
	require.NoError(t, err)
	defer c.Close(ctx)
	_, err = c.conns[0].Exec(ctx, "INSERT INTO ir_model_data (module, name, model, res_id) VALUES ('a', 'b', 'c', 1)")
	require.ErrorContains(t, err, "read-only transaction")
	n := 0
	putXMLIDs(t, db.Conn, "res.partner", map[string]int64{"ns.customers_1": 4, "other.x": 5})
	require.NoError(t, c.Index(ctx, "ns", func(x, m string, id int64) {
		n++
		require.Equal(t, "ns.customers_1", x)
		require.Equal(t, "res.partner", m)
		require.EqualValues(t, 4, id)
	}))
	require.Equal(t, 1, n)
}
