package fastpath

import (
	"context"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/verify"
)

// realModels are the models compared in a real Odoo's database: every
// stored field of a type the fast path compares goes in.
var realModels = []string{"res.partner", "res.country", "res.country.state", "res.currency", "uom.uom", "product.product",
	"product.template", "res.partner.category", "account.account", "account.tax"}

// Against a real Odoo's database (FERRY_TEST_ODOO_DSN, read-only is
// enough): the fast path places Odoo's own fields where Odoo 16+ keeps
// them (jsonb translations, related fields through _inherits, relation
// tables from ir_model_fields), refuses the ones it cannot reproduce, and
// for every record with an external ID the digest PostgreSQL computes
// equals Go's digest of verify's canonical form of the record's values.
func TestIntegrationRealOdooDatabase(t *testing.T) {
	dsn := os.Getenv("FERRY_TEST_ODOO_DSN")
	if dsn == "" {
		t.Skip("real Odoo database not tested: set FERRY_TEST_ODOO_DSN to a (read-only) DSN of its PostgreSQL database")
	}
	ctx := context.Background()
	c, err := Open(ctx, dsn, Options{Fanout: 16, LeafSize: 32})
	require.NoError(t, err)
	defer c.Close(ctx)

	for _, tc := range []struct {
		model, field, reason string
	}{
		{"res.partner", "comment", "is html"},
		{"res.partner", "barcode", "company-dependent"},
		{"product.product", "standard_price", "company-dependent"},
		{"res.partner", "child_ids", "is one2many"},
	} {
		reason, err := c.Supports(ctx, tc.model, []verify.Field{{Name: tc.field, Type: realType(t, c, tc.model, tc.field), Digits: -1}})
		require.NoError(t, err)
		require.Contains(t, reason, tc.reason, "%s.%s", tc.model, tc.field)
	}
	compared := 0
	for _, model := range realModels {
		fields := realFields(t, c, model)
		if len(fields) == 0 {
			continue // the module is not installed
		}
		for _, digits := range []int{-1, 2} {
			t.Run(fmt.Sprintf("%s/digits %d", model, digits), func(t *testing.T) {
				fs := append([]verify.Field(nil), fields...)
				for i := range fs {
					if fs[i].Type == "float" || fs[i].Type == "monetary" {
						fs[i].Digits = digits
					}
				}
				n := compareReal(t, c, model, fs)
				t.Logf("%d records, %d fields", n, len(fs))
				compared += n
			})
		}
	}
	require.Positive(t, compared, "no records with external IDs in the models compared")
}

func realType(t *testing.T, c *Checker, model, field string) string {
	infos, err := c.cat.modelFields(context.Background(), model)
	require.NoError(t, err)
	require.Contains(t, infos, field, "%s.%s", model, field)
	return infos[field].ttype
}

// realFields lists the stored and one-hop related fields of model the
// fast path supports one by one.
func realFields(t *testing.T, c *Checker, model string) []verify.Field {
	ctx := context.Background()
	infos, err := c.cat.modelFields(ctx, model)
	require.NoError(t, err)
	names := make([]string, 0, len(infos))
	for n := range infos {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []verify.Field
	for _, n := range names {
		info := infos[n]
		f := verify.Field{Name: n, Type: info.ttype, Relation: info.relation, Digits: -1}
		if reason, err := c.Supports(ctx, model, []verify.Field{f}); err == nil && reason == "" {
			out = append(out, f)
		}
	}
	return out
}

// compareReal reads every record of model with an external ID in detail,
// takes its canonical values as the wanted ones, and checks that the
// digests agree: all match, without reading any record again (except
// res.partner contacts whose fields Odoo syncs from the parent company,
// which the digest excuses and the detail compares). Another process may
// write meanwhile: a comparison that differs is retried.
func compareReal(t *testing.T, c *Checker, model string, fields []verify.Field) int {
	ctx := context.Background()
	p, err := c.plan(ctx, model, fields)
	require.NoError(t, err)
	var last map[string]verify.Result
	for attempt := 0; attempt < 3; attempt++ {
		recs := readReal(t, c, p)
		if len(recs) == 0 {
			return 0
		}
		got := map[string]verify.Result{}
		st, err := c.compare(ctx, p, recs, nil, func(r verify.Result) { got[r.ExternalID] = r })
		require.NoError(t, err)
		if st.Match == len(recs) {
			if model != "res.partner" {
				require.Equal(t, 1, st.Queries, "%s: every digest matched at the first level", model)
			}
			return len(recs)
		}
		last = got
	}
	for x, r := range last {
		require.Equal(t, verify.Match, r.Status, "%s %s: %+v", model, x, r.Diffs)
	}
	return 0
}

// readReal reads the records of the model's external IDs with the detail
// query, as the wanted records.
func readReal(t *testing.T, c *Checker, p *modelPlan) []Record {
	ctx := context.Background()
	var xs []string
	rows, err := c.conns[0].Query(ctx, `SELECT module || '.' || name FROM ir_model_data WHERE model = $1 AND res_id IS NOT NULL`, p.model)
	require.NoError(t, err)
	xs, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	ns := make([]int32, len(xs))
	for i := range ns {
		ns[i] = int32(i)
	}
	rows, err = c.conns[0].Query(ctx, p.detailSQL(), xs, ns, p.model)
	require.NoError(t, err)
	defer rows.Close()
	var recs []Record
	for rows.Next() {
		v, err := rows.Values()
		require.NoError(t, err)
		id, ok := v[1].(int64)
		if !ok {
			continue // an external ID whose record is gone
		}
		want := make([]string, len(p.cols))
		for k, col := range p.cols {
			want[k] = gotToken(col, v[3+k])
		}
		recs = append(recs, Record{ExternalID: xs[v[0].(int32)], ID: id, Want: want})
	}
	require.NoError(t, rows.Err())
	return recs
}
