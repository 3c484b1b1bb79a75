package pipeline_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// benchPlan is the validate-only benchmark's plan: 1,000 companies, then
// the contacts (the measured rows) with eleven mapped fields (names,
// emails, phones, a date, a German-locale number, a country looked up
// offline, a reference to a company), a duplicate search and five rules.
const benchPlan = `version: 1
name: bench-validate
namespace: bench
target: {url: http://localhost:8069, database: bench, login: admin, password: {env: BENCH_ODOO_PASSWORD}}
sources:
  files: {kind: csv, path: ./data}
entities:
  - name: companies
    model: res.partner
    from: {source: files, file: companies.csv}
    key: company_id
    fields:
      name: trim(row.name)
      is_company: "true"
  - name: contacts
    model: res.partner
    from: {source: files, file: contacts.csv}
    key: contact_id
    fields:
      name: title(trim(row.first_name) + " " + trim(row.last_name))
      email: lower(trim(row.email))
      phone: trim(row.phone)
      mobile: digits(row.mobile)
      vat: normalize_vat(row.vat)
      city: title(trim(row.city))
      ref: upper(trim(row.code))
      additional_info: parse_date(row.since, "DD.MM.YYYY")
      credit_limit: parse_number(row.credit, "de")
      country_id: lookup("res.country", "code", upper(trim(row.country)))
      parent_id: ref("companies", row.company_id)
    duplicates:
      - {name: same-phone, column: phone, normalize: phone}
    rules:
      - {required: [name, email]}
      - {unique: [email], severity: warning}
      - {name: email-format, field: email, regex: '^[^@\s]+@[^@\s]+\.[a-z]+$'}
      - {name: credit-range, field: credit_limit, min: 0, max: 500000}
      - {name: segment, field: segment, in: [retail, wholesale, partner, public]}
`

const benchCompanies = 1000

var (
	firstNames = []string{"anna", "bernd", "chloé", "david", "eva", "françois", "greta", "hugo", "inès", "jan", "karin", "luis"}
	lastNames  = []string{"müller", "schmidt", "dupont", "martin", "rossi", "garcía", "jansen", "novak", "berg", "costa"}
	cities     = []string{"berlin", "paris", "madrid", "rome", "vienna", "lyon", "hamburg", "porto", "gent", "bern"}
	countries  = []string{"de", "fr", "es", "it", "at", "be", "nl", "pt", "ch", "lu"}
	segments   = []string{"retail", "wholesale", "partner", "public"}
)

// writeBenchData writes the plan and its CSV files under dir: n contacts,
// about 1 % with a finding each (bad e-mail, repeated e-mail, credit out of
// range, unknown segment, unknown company, unparsable date).
func writeBenchData(tb testing.TB, dir string, n int) string {
	tb.Helper()
	require.NoError(tb, os.MkdirAll(filepath.Join(dir, "data"), 0o755))
	planPath := filepath.Join(dir, "plan.yaml")
	require.NoError(tb, os.WriteFile(planPath, []byte(benchPlan), 0o644))
	writeCSV(tb, filepath.Join(dir, "data", "companies.csv"), "company_id,name\n", benchCompanies, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, "C%05d,Company %d GmbH\n", i, i)
	})
	rng := rand.New(rand.NewPCG(1, 2))
	prev := ""
	writeCSV(tb, filepath.Join(dir, "data", "contacts.csv"),
		"contact_id,first_name,last_name,email,phone,mobile,vat,city,code,since,credit,country,company_id,segment\n", n,
		func(w *bufio.Writer, i int) { prev = writeContact(w, rng, i, prev) })
	return planPath
}

func writeCSV(tb testing.TB, path, header string, n int, row func(*bufio.Writer, int)) {
	f, err := os.Create(path)
	require.NoError(tb, err)
	w := bufio.NewWriterSize(f, 1<<20)
	_, _ = w.WriteString(header)
	for i := range n {
		row(w, i)
	}
	require.NoError(tb, w.Flush())
	require.NoError(tb, f.Close())
}

// writeContact writes contact i and returns its e-mail; prev is the
// previous contact's.
func writeContact(w *bufio.Writer, rng *rand.Rand, i int, prev string) string {
	first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	email := fmt.Sprintf("%s.%s.%d@example.com", first, last, i)
	since := fmt.Sprintf("%02d.%02d.%d", 1+rng.IntN(28), 1+rng.IntN(12), 1990+rng.IntN(35))
	credit := strconv.Itoa(rng.IntN(400)) + "." + fmt.Sprintf("%03d", rng.IntN(1000)) + "," + fmt.Sprintf("%02d", rng.IntN(100))
	segment, company := segments[i%len(segments)], fmt.Sprintf("C%05d", rng.IntN(benchCompanies))
	switch i % 500 {
	case 7:
		email = fmt.Sprintf("%s.%s.%d-at-example.com", first, last, i)
	case 11:
		email = prev
	case 13:
		credit = "900.000,00"
	case 17:
		segment = "vip"
	case 19:
		company = "C99999"
	case 23:
		since = "31.02.2020"
	}
	fmt.Fprintf(w, "P%08d,%s,%s,%s,+49 30 %07d,0170-%07d,DE%09d,%s,k%d,%s,\"%s\",%s,%s,%s\n",
		i, first, last, email, i%10_000_000, rng.IntN(10_000_000), i, cities[rng.IntN(len(cities))], i,
		since, credit, countries[rng.IntN(len(countries))], company, segment)
	return email
}

func benchRows(tb testing.TB) int {
	n := 1_000_000
	if s := os.Getenv("FERRY_BENCH_ROWS"); s != "" {
		v, err := strconv.Atoi(s)
		require.NoError(tb, err, "FERRY_BENCH_ROWS")
		n = v
	}
	return n
}

// benchBudget reads FERRY_BENCH_INDEX_BUDGET (MiB; unset = the default).
func benchBudget(tb testing.TB) int64 {
	s := os.Getenv("FERRY_BENCH_INDEX_BUDGET")
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	require.NoError(tb, err, "FERRY_BENCH_INDEX_BUDGET")
	return v << 20
}

func prepareBench(tb testing.TB, planPath string, opts pipeline.Options) *pipeline.Pipeline {
	tb.Helper()
	p, ds, err := plan.Load(planPath)
	require.NoError(tb, err)
	require.Empty(tb, ds)
	raw, err := orm.RecordedSchema(18)
	require.NoError(tb, err)
	opts.Schema, opts.ServerVersion, err = validate.ParseSchema(raw, "odoo18")
	require.NoError(tb, err)
	pl, err := pipeline.Prepare(context.Background(), p, opts)
	require.NoError(tb, err)
	return pl
}

func cpuTime(tb testing.TB) (time.Duration, int64) {
	var ru syscall.Rusage
	require.NoError(tb, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Maxrss // maxrss: KiB on Linux
}

// BenchmarkValidate measures `ferry validate` without a target: DryRun
// over FERRY_BENCH_ROWS contacts (default 1,000,000) and 1,000 companies,
// offline against the recorded Odoo 18 schema, quarantine files written.
// One operation is one whole dry run; run it with -benchtime 1x.
func BenchmarkValidate(b *testing.B) {
	n := benchRows(b)
	dir := b.TempDir()
	planPath := writeBenchData(b, dir, n)
	b.ResetTimer()
	spilled := 0
	cpu0, _ := cpuTime(b)
	start := time.Now()
	for range b.N {
		pl := prepareBench(b, planPath, pipeline.Options{IndexBudget: benchBudget(b), SpillDir: b.TempDir()})
		s, err := pl.DryRun(context.Background(), filepath.Join(dir, "quarantine"))
		require.NoError(b, err)
		require.True(b, s.Holds)
		require.Equal(b, int64(n), s.Entities[1].Read)
		spilled = pipeline.SpilledIndexes(pl)
		require.NoError(b, pl.Close())
		if b.N == 1 {
			b.Logf("contacts: %d read, %d would load, %d quarantined; codes %v", s.Entities[1].Read,
				s.Entities[1].WouldLoad, s.Entities[1].Quarantined, s.Codes)
		}
	}
	wall := time.Since(start)
	cpu1, maxrss := cpuTime(b)
	rows := float64(n+benchCompanies) * float64(b.N)
	b.ReportMetric(rows/wall.Seconds(), "rows/s")
	b.ReportMetric(float64((cpu1-cpu0).Microseconds())/rows, "cpu-µs/row")
	b.ReportMetric(rows/(cpu1-cpu0).Seconds(), "rows/cpu-s")
	b.ReportMetric(float64(maxrss)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(spilled), "spilled-indexes")
}
