package mapping

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/secret"
)

func newTestCompiler(t *testing.T) *Compiler {
	t.Helper()
	ids := NewIDs("acme", secret.String{})
	lib := NewLibrary(t.TempDir(), ids, map[string]KeyInfo{"customers": {}, "people": {Personal: true}})
	return NewCompiler(lib)
}

func TestFunctions(t *testing.T) {
	c := newTestCompiler(t)
	row := map[string]any{"name": "  ada LOVELACE ", "email": " Ada@Example.COM ", "d": "31/12/99",
		"dt": "31.12.2024 23:30", "n": "1.234,56", "n2": "1,234.56", "yes": "Oui", "no": "N",
		"tags": "a, b,,c", "nil": nil, "id": "C 001", "phone": "+33 (1) 23-45", "vat": "fr 12 345"}
	cases := []struct {
		src  string
		want any
	}{
		{`trim(row.name)`, "ada LOVELACE"},
		{`lower(trim(row.email))`, "ada@example.com"},
		{`upper(row.id)`, "C 001"},
		{`title(trim(row.name))`, "Ada Lovelace"},
		{`split(row.tags, ",")`, []any{"a", "b", "c"}},
		{`join(split(row.tags, ","), "|")`, "a|b|c"},
		{`concat("x", row.nil, "y")`, "xy"},
		{`regex_replace(row.id, "[^0-9]", "")`, "001"},
		{`parse_date(row.d, "DD/MM/YY")`, "1999-12-31"},
		{`parse_date(row.nil, "DD/MM/YY")`, nil},
		{`parse_datetime(row.dt, "DD.MM.YYYY HH:mm", "Europe/Paris")`, "2024-12-31 22:30:00"},
		{`parse_number(row.n, "de")`, 1234.56},
		{`parse_number(row.n2, "en")`, 1234.56},
		{`parse_number(row.n)`, 1234.56},
		{`parse_int("1.000", "de")`, int64(1000)},
		{`round(2.345, 2)`, 2.35},
		{`round_currency(2.5, "JPY")`, 3.0},
		{`round_currency(1.23456, "KWD")`, 1.235},
		{`bool(row.yes)`, true},
		{`bool(row.no)`, false},
		{`bool("ja")`, true},
		{`map_value("C", {"C": "company", "P": "person"})`, "company"},
		{`map_value("Z", {"C": "company"}, "other")`, "other"},
		{`default(row.nil, "x")`, "x"},
		{`coalesce(row.nil, "", "y")`, "y"},
		{`digits(row.phone)`, "3312345"},
		{`normalize_email(row.email)`, "ada@example.com"},
		{`normalize_vat(row.vat)`, "FR12345"},
		{`ref("customers", row.id)`, RefValue{Entity: "customers", Key: "C 001", ExternalID: "acme.customers_C-20001"}},
		{`ref("customers", row.nil)`, nil},
		{`lookup("res.country", "code", "FR")`, LookupValue{Model: "res.country", Field: "code", Value: "FR"}},
		{`len(refs("customers", row.tags))`, 3},
		{`len(lookups("res.partner.category", "name", ["a","b"]))`, 2},
	}
	r := &Runner{}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			p, err := c.Compile(tc.src)
			require.NoError(t, err)
			got, err := r.Run(p, map[string]any{"row": row})
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestFunctionFindings(t *testing.T) {
	c := newTestCompiler(t)
	cases := []struct{ src, code string }{
		{`parse_date("31/02/2024", "DD/MM/YYYY")`, "MAP213"},
		{`parse_datetime("2024-01-01", "YYYY-MM-DD", "Mars/Olympus")`, "MAP213"},
		{`parse_number("12abc")`, "MAP214"},
		{`bool("maybe")`, "MAP215"},
		{`map_value("Z", {"C": "company"})`, "MAP216"},
		{`map_file("missing.csv", "x") == nil`, "MAP201"},
		{`ref("nobody", "1")`, "MAP206"},
		{`1 / row.zero > 0 and row.x.y.z == 1`, "MAP201"},
	}
	r := &Runner{}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			p, err := c.Compile(tc.src)
			require.NoError(t, err)
			_, err = r.Run(p, map[string]any{"row": map[string]any{"zero": 0}})
			var f *Finding
			require.ErrorAs(t, err, &f)
			require.Equal(t, tc.code, f.Code, f.Msg)
		})
	}
}

func TestCompileErrors(t *testing.T) {
	c := newTestCompiler(t)
	for _, src := range []string{`row.`, `nosuchfn(1)`, `unknown_var`, `"a" +`} {
		_, err := c.Compile(src)
		var f *Finding
		require.ErrorAs(t, err, &f, src)
		require.Equal(t, "MAP200", f.Code)
	}
	p, err := c.Compile(`ref("customers", row.parent) ?? trim(row.name)`)
	require.NoError(t, err)
	require.Equal(t, []string{"customers"}, p.Refs)
	require.ElementsMatch(t, []string{"parent", "name"}, p.Columns)
}

// Two different keys never get the same external ID: keys built from the
// characters that matter (escapes, dashes, underscores, separators) are
// encoded one to one.
func TestEncodeKeyIsOneToOne(t *testing.T) {
	ids := NewIDs("acme", secret.New("k"))
	alphabet := []string{"A", "1", " ", "-", "2", "0", "_", "/", "F"}
	seen := map[string][]string{}
	var walk func(parts []string, cur string, depth int)
	walk = func(parts []string, cur string, depth int) {
		if depth == 0 {
			key := append(append([]string(nil), parts...), cur)
			enc, _ := ids.EncodeKey(key, false)
			if prev, dup := seen[enc]; dup {
				t.Fatalf("%q and %q both encode to %q", prev, key, enc)
			}
			seen[enc] = key
			return
		}
		for _, c := range alphabet {
			walk(parts, cur+c, depth-1)
		}
	}
	for n := 1; n <= 4; n++ {
		walk(nil, "", n)
	}
	firsts := map[string]bool{"": true} // composite keys: a first part of up to 2 characters
	for _, a := range alphabet {
		firsts[a] = true
		for _, b := range alphabet {
			firsts[a+b] = true
		}
	}
	for first := range firsts {
		for n := 0; n <= 2; n++ {
			walk([]string{first}, "", n)
		}
	}
}

func TestEncodeKey(t *testing.T) {
	ids := NewIDs("acme", secret.New("k"))
	cases := []struct {
		parts    []string
		personal bool
		want     string
		hashed   bool
	}{
		{[]string{"C001"}, false, "C001", false},
		{[]string{"a b,c"}, false, "a-20b-2Cc", false},
		{[]string{"x", "y"}, false, "x-_y", false},
		{[]string{"INV-2024"}, false, "INV--2024", false},
		{[]string{"a_", "b"}, false, "a_-_b", false},
		{[]string{"é"}, false, "-C3-A9", false},
	}
	for _, tc := range cases {
		got, hashed := ids.EncodeKey(tc.parts, tc.personal)
		require.Equal(t, tc.want, got)
		require.Equal(t, tc.hashed, hashed)
	}
	long, hashed := ids.EncodeKey([]string{string(make([]byte, 70))}, false)
	require.True(t, hashed)
	require.Len(t, long, 33)
	p1, _ := ids.EncodeKey([]string{"jane@example.com"}, true)
	p2, _ := ids.EncodeKey([]string{"jane@example.com"}, true)
	require.Equal(t, p1, p2)
	require.NotContains(t, p1, "jane")
	require.Equal(t, "acme.customers_C001", ids.ExternalID("customers", "C001"))
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{`trim(row.a)`, `ref("customers", row.id)`, `parse_date(row.d, ["DD/MM/YY"])`,
		`row.a == "x" ? 1 : 2`, `map_value(row.k, {"a": 1})`, `lookup("m", "f", row.v) ?? nil`} {
		f.Add(s)
	}
	ids := NewIDs("acme", secret.String{})
	c := NewCompiler(NewLibrary(f.TempDir(), ids, map[string]KeyInfo{"customers": {}}))
	r := &Runner{}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := c.Compile(src)
		if err != nil {
			return
		}
		_, _ = r.Run(p, map[string]any{"row": map[string]any{"a": "x", "id": "1", "d": "01/02/03"}})
	})
}

// A number whose separators contradict the declared locale is a finding,
// never a number a thousand times off.
func TestParseNumberRefusesContradictorySeparators(t *testing.T) {
	good := map[[2]string]float64{
		{"1.234,56", "de"}: 1234.56, {"1,234.56", "en"}: 1234.56, {"1 234,56", "fr"}: 1234.56,
		{"1.234.567,8", "de"}: 1234567.8, {"-12,5", "de"}: -12.5, {"12", "de"}: 12, {"1234,5", "de"}: 1234.5,
		{"1,234.56", ""}: 1234.56, {"1.234,56", ""}: 1234.56,
	}
	for in, want := range good {
		got, err := ParseNumber(in[0], in[1])
		require.NoError(t, err, "%q %s", in[0], in[1])
		require.InDelta(t, want, got, 1e-9, "%q %s", in[0], in[1])
	}
	for _, in := range [][2]string{{"1,234.56", "de"}, {"1.234,56", "en"}, {"1.5", "de"}, {"1,23,456.7", "en"}, {"12.34.56", "en"}} {
		_, err := ParseNumber(in[0], in[1])
		var f *Finding
		require.ErrorAs(t, err, &f, "%q %s", in[0], in[1])
		require.Equal(t, "MAP214", f.Code)
	}
}
