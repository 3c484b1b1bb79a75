package fastpath

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/verify"
	"github.com/ferry-migrate/ferry/internal/verify/fastpath/fastpathtest"
)

// benchFields are the partner fields both benchmarks compare.
var benchFields = []string{"category_id", "city", "color", "country_id", "debit_limit", "email", "is_company", "name", "parent_id",
	"partner_latitude", "street", "zip"}

func benchN(env string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(env)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchPartner is partner i as the source means it and as Odoo stores it:
// one in ten a company, the next its contact (whose address Odoo copied
// from the company), the rest people with their own address.
func benchPartner(i int64) (values map[string]any, db []any) {
	kind := i % 10
	v := map[string]any{
		"name": fmt.Sprintf("Partner %d ✓", i), "email": fmt.Sprintf("p%d@example.com", i), "color": i % 12,
		"is_company": kind == 1, "street": fmt.Sprintf("Rue %d", i%977), "city": []string{"Bruxelles", "Liège", "Gent", "Zürich"}[i%4],
		"zip": fmt.Sprintf("%04d", i%9000+1000), "country_id": record.Ref{ID: 20 + i%5}, "parent_id": nil,
		"partner_latitude": float64(i%180000)/1000 - 90 + 0.0001234, "debit_limit": float64(i%100000) / 100,
		"category_id": []record.Ref{{ExternalID: fmt.Sprintf("bench.tags_%d", 1+i%5)}},
	}
	if i%3 == 0 {
		v["category_id"] = append(v["category_id"].([]record.Ref), record.Ref{ExternalID: "bench.tags_6"})
	}
	street, city, zip, country := v["street"], v["city"], v["zip"], 20+i%5
	var parent any
	if kind == 2 {
		parent = i - 1
		v["parent_id"] = record.Ref{ExternalID: fmt.Sprintf("bench.customers_%d", i-1)}
		v["street"], v["city"], v["zip"], v["country_id"] = nil, "", nil, nil // left empty: Odoo copies the company's
		street, city, country = fmt.Sprintf("Rue %d", (i-1)%977), []string{"Bruxelles", "Liège", "Gent", "Zürich"}[(i-1)%4], 20+(i-1)%5
		zip = fmt.Sprintf("%04d", (i-1)%9000+1000)
	}
	db = []any{i, v["name"], v["email"], street, city, zip, v["is_company"], v["color"], country, parent, "contact",
		v["partner_latitude"], v["debit_limit"], true}
	return v, db
}

var benchColumns = []string{"id", "name", "email", "street", "city", "zip", "is_company", "color", "country_id", "parent_id", "type",
	"partner_latitude", "debit_limit", "active"}

// fillPartners loads n partners, their tags and external IDs with COPY.
func fillPartners(b *testing.B, conn *pgx.Conn, n int) {
	ctx := context.Background()
	for k := 1; k <= 6; k++ {
		exec(b, conn, "INSERT INTO res_partner_category (id, name) VALUES ($1, $2)", k, fmt.Sprintf(`{"en_US": "Tag %d"}`, k))
		exec(b, conn, "INSERT INTO ir_model_data (module, name, model, res_id) VALUES ('bench', $1, 'res.partner.category', $2)", fmt.Sprintf("tags_%d", k), k)
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"res_partner"}, benchColumns, pgx.CopyFromFunc(func() func() ([]any, error) {
		i := int64(0)
		return func() ([]any, error) {
			if i++; i > int64(n) {
				return nil, nil
			}
			_, row := benchPartner(i)
			return row, nil
		}
	}()))
	require.NoError(b, err)
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"ir_model_data"}, []string{"module", "name", "model", "res_id"},
		pgx.CopyFromFunc(func() func() ([]any, error) {
			i := int64(0)
			return func() ([]any, error) {
				if i++; i > int64(n) {
					return nil, nil
				}
				return []any{"bench", fmt.Sprintf("customers_%d", i), "res.partner", i}, nil
			}
		}()))
	require.NoError(b, err)
	rel := make([][]any, 0, n+n/3)
	for i := int64(1); i <= int64(n); i++ {
		rel = append(rel, []any{i, 1 + i%5})
		if i%3 == 0 {
			rel = append(rel, []any{i, int64(6)})
		}
	}
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"res_partner_res_partner_category_rel"}, []string{"partner_id", "category_id"}, pgx.CopyFromRows(rel))
	require.NoError(b, err)
	exec(b, conn, "VACUUM ANALYZE")
}

// benchSpec has the fields' digits as fields_get gives them on Odoo 18
// (partner_latitude (10, 7); monetary without digits).
func benchSpec() Spec {
	fields := fastpathtest.Fields("res.partner", benchFields...)
	for i := range fields {
		if fields[i].Name == "partner_latitude" {
			fields[i].Digits = 7
		}
	}
	return Spec{Model: "res.partner", Fields: fields}
}

func benchRecords(n int, spec Spec) ([]Record, *ids) {
	ix := newIDs()
	for k := int64(1); k <= 6; k++ {
		ix.put(fmt.Sprintf("bench.tags_%d", k), "res.partner.category", k)
	}
	for i := int64(1); i <= int64(n); i++ {
		ix.put("bench.customers_"+strconv.FormatInt(i, 10), "res.partner", i)
	}
	recs := make([]Record, n)
	for i := range recs {
		id := int64(i + 1)
		v, _ := benchPartner(id)
		want := make([]string, len(spec.Fields))
		for k, f := range spec.Fields {
			want[k] = WantToken(spec.Model, f, v[f.Name], ix)
		}
		recs[i] = Record{Entity: "customers", ExternalID: "bench.customers_" + strconv.FormatInt(id, 10), ID: id, Want: want}
	}
	return recs, ix
}

// BenchmarkFastPath verifies FERRY_BENCH_RECORDS (default 1,000,000)
// partners of the fixture: unchanged, then with differences, over one
// connection and over two. One operation is one whole comparison (Go
// digests, the SQL levels, the detail reads); building the wanted records
// is not timed.
func BenchmarkFastPath(b *testing.B) {
	n := benchN("FERRY_BENCH_RECORDS", 1_000_000)
	db, _ := newFixture(b, Options{})
	fillPartners(b, db.Conn, n)
	spec := benchSpec()
	recs, ix := benchRecords(n, spec)
	ctx := context.Background()
	for _, workers := range []int{1, 2} {
		c, err := Open(ctx, db.DSN, Options{Workers: workers})
		require.NoError(b, err)
		b.Cleanup(func() { _ = c.Close(ctx) })
		for _, diff := range []int{0, 10, 1000} {
			b.Run(fmt.Sprintf("records=%d/workers=%d/differ=%d", n, workers, diff), func(b *testing.B) {
				if diff > 0 {
					exec(b, db.Conn, "UPDATE res_partner SET city = 'Nowhere' WHERE id % ($1::int / $2::int) = 7", n, diff)
					b.Cleanup(func() { // those are people (id % 10 = 7): their own city back
						exec(b, db.Conn, "UPDATE res_partner SET city = (ARRAY['Bruxelles','Liège','Gent','Zürich'])[id % 4 + 1] WHERE city = 'Nowhere'")
					})
				}
				var st Stats
				for b.Loop() {
					var err error
					st, err = c.Compare(ctx, spec, recs, ix, func(verify.Result) {})
					require.NoError(b, err)
				}
				require.Equal(b, diff, st.Differ)
				require.Equal(b, n-diff, st.Match)
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
				b.ReportMetric(float64(st.Queries), "queries")
				b.ReportMetric(float64(st.Detailed), "detailed")
			})
		}
	}
}

// BenchmarkRPCPath verifies FERRY_BENCH_RPC_RECORDS (default 10,000)
// partners loaded into the in-process sandbox the way verify does without
// a DSN: the namespace's external IDs read from ir.model.data, then the
// records read by id in batches of 200 over JSON-RPC and compared by
// CompareRow.
func BenchmarkRPCPath(b *testing.B) {
	n := benchN("FERRY_BENCH_RPC_RECORDS", 10_000)
	ctx := context.Background()
	sb, err := sandbox.New(sandbox.Options{})
	require.NoError(b, err)
	b.Cleanup(func() { sb.Close() })
	c, err := odoo.Dial(ctx, odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New(sb.AdminKey())})
	require.NoError(b, err)
	spec := benchSpec()
	rows := loadSandbox(b, c, n)
	schema := map[string]verify.Field{}
	for _, f := range spec.Fields {
		schema[f.Name] = f
	}
	b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
		for b.Loop() {
			ix := newIDs()
			err := c.Each(ctx, "ir.model.data", odoo.Domain{[]any{"module", "=", "bench"}}, []string{"name", "model", "res_id"}, 5000,
				func(r map[string]any) error {
					ix.put("bench."+fmt.Sprint(r["name"]), fmt.Sprint(r["model"]), asInt(r["res_id"]))
					return nil
				})
			require.NoError(b, err)
			v := &verify.Verifier{Reader: c, Schema: func(string) map[string]verify.Field { return schema }, Resolver: ix}
			match := 0
			for lo := 0; lo < len(rows); lo += 200 {
				batch := make([]verify.Expected, 0, 200)
				for _, r := range rows[lo:min(lo+200, len(rows))] {
					batch = append(batch, verify.Expected{Row: r, ID: ix.byXML[r.ExternalID]})
				}
				require.NoError(b, v.Batch(ctx, "res.partner", batch, func(r verify.Result) {
					if r.Status == verify.Match {
						match++
					}
				}))
			}
			require.Equal(b, len(rows), match)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}

// loadSandbox loads n benchmark partners (and the tags) into the sandbox
// and returns the rows verify expects for them, with the sandbox's ids
// for the countries.
func loadSandbox(b *testing.B, c *odoo.Client, n int) []record.Row {
	ctx := context.Background()
	tags := [][]string{}
	for k := 1; k <= 6; k++ {
		tags = append(tags, []string{fmt.Sprintf("bench.tags_%d", k), fmt.Sprintf("Tag %d", k)})
	}
	res, err := c.Load(ctx, "res.partner.category", []string{"id", "name"}, tags, nil)
	require.NoError(b, err)
	require.False(b, res.RolledBack, "%v", res.Messages)
	countries, err := c.SearchRead(ctx, "res.country", odoo.Domain{[]any{"code", "in", []any{"BE", "FR", "DE", "NL", "LU"}}}, []string{"id"}, odoo.Page{})
	require.NoError(b, err)
	require.Len(b, countries, 5)
	fields := []string{"id", "name", "email", "street", "city", "zip", "is_company", "color", "country_id/.id", "category_id/id", "partner_latitude", "debit_limit"}
	var rows []record.Row
	for lo := int64(1); lo <= int64(n); lo += 1000 {
		var data [][]string
		for i := lo; i < lo+1000 && i <= int64(n); i++ {
			v, _ := benchPartner(i)
			if i%10 == 2 { // the sandbox does not copy a company's address: keep the rows independent
				v, _ = benchPartner(i + 1)
				v["name"], v["email"] = fmt.Sprintf("Partner %d ✓", i), fmt.Sprintf("p%d@example.com", i)
			}
			country := asInt(countries[i%5]["id"])
			v["country_id"] = record.Ref{ID: country}
			tagIDs := ""
			for k, r := range v["category_id"].([]record.Ref) {
				if k > 0 {
					tagIDs += ","
				}
				tagIDs += r.ExternalID
			}
			data = append(data, []string{"bench.customers_" + strconv.FormatInt(i, 10), v["name"].(string), v["email"].(string), str(v["street"]),
				str(v["city"]), str(v["zip"]), strconv.FormatBool(v["is_company"].(bool)), strconv.FormatInt(v["color"].(int64), 10),
				strconv.FormatInt(country, 10), tagIDs, strconv.FormatFloat(v["partner_latitude"].(float64), 'f', -1, 64),
				strconv.FormatFloat(v["debit_limit"].(float64), 'f', -1, 64)})
			rows = append(rows, record.Row{Entity: "customers", Model: "res.partner", ExternalID: "bench.customers_" + strconv.FormatInt(i, 10), Values: v})
		}
		res, err := c.Load(ctx, "res.partner", fields, data, nil)
		require.NoError(b, err)
		require.False(b, res.RolledBack, "%v", res.Messages)
	}
	return rows
}

func asInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
