package scaffold

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// partnerFields are res.partner's fields as the recorded Odoo 18 schema has them.
func partnerFields(t *testing.T) map[string]validate.Field {
	t.Helper()
	b, err := orm.RecordedSchema(18)
	require.NoError(t, err)
	s, _, err := validate.ParseSchema(b, "odoo18")
	require.NoError(t, err)
	return s["res.partner"]
}

func TestNameScoreMatchesNamesSynonymsLabelsAndAccents(t *testing.T) {
	fields := partnerFields(t)
	for _, tc := range []struct {
		column, field string
		min           float64
		reason        string
	}{
		{"email", "email", 1, "name"},
		{"E-Mail", "email", 1, "name"},
		{"Country", "country_id", 1, "name"},
		{"zip_code", "zip", 0.9, "synonym"},
		{"Postcode", "zip", 0.9, "synonym"},
		{"Code postal", "zip", 0.9, "synonym"},
		{"tel", "phone", 1, "name"},
		{"Téléphone", "phone", 0.9, "synonym"},
		{"tax_id", "vat", 0.95, `label "Tax ID"`},
		{"VAT-Nr", "vat", 0.9, "synonym"},
		{"company_name", "name", 0.9, "synonym"},
		{"Straße", "street", 0.9, "synonym"},
		{"Job Position", "function", 0.95, `label "Job Position"`},
		{"Website Link", "website", 0.95, "label"},
		{"Salesperson", "user_id", 0.95, "label"},
		{"billing_city", "city", 0.7, "name ends in city"},
	} {
		t.Run(tc.column+"→"+tc.field, func(t *testing.T) {
			s, why := NameScore(tc.column, fields[tc.field])
			require.GreaterOrEqual(t, s, tc.min)
			require.Contains(t, why, tc.reason)
		})
	}
	s, _ := NameScore("invoice_total", fields["email"])
	require.Less(t, s, threshold)
}

func TestNameScoreReadsLabelsInTheTargetsLanguage(t *testing.T) {
	f := validate.Field{Name: "x_studio_kundennummer", Type: "char", String: "Kundennummer"}
	s, why := NameScore("Kunden-Nummer", f)
	require.GreaterOrEqual(t, s, 0.9)
	require.Contains(t, why, "label")
	f = validate.Field{Name: "x_studio_cp_field", Type: "char", String: "Code postal"}
	s, why = NameScore("CP", f)
	require.GreaterOrEqual(t, s, 0.85)
	require.Equal(t, `label "Code postal" (synonym)`, why)
}

func TestFitChecksTheValuesAgainstTheFieldType(t *testing.T) {
	prof := func(values ...any) Profile { return ProfileColumn(record.Column{Name: "c"}, column(values...)) }
	dates, numbers, words := prof("31/01/2024"), prof("1.234,50"), prof("Acme")
	require.InDelta(t, 1.0, Fit(dates, validate.Field{Type: "date"}), 0)
	require.Zero(t, Fit(words, validate.Field{Type: "date"}))
	require.InDelta(t, 1.0, Fit(numbers, validate.Field{Type: "monetary"}), 0)
	require.Zero(t, Fit(words, validate.Field{Type: "float"}))
	require.Zero(t, Fit(numbers, validate.Field{Type: "integer"}))
	require.InDelta(t, 1.0, Fit(prof("Y", "N"), validate.Field{Type: "boolean"}), 0)
	require.Zero(t, Fit(words, validate.Field{Type: "boolean"}))
	sel := validate.Field{Type: "selection", Selection: [][]any{{"contact", "Contact"}, {"invoice", "Invoice Address"}}}
	require.InDelta(t, 1.0, Fit(prof("Invoice address", "contact"), sel), 0)
	require.InDelta(t, 0.7, Fit(prof("billing"), sel), 0)
}

func TestAssignTakesTheBestPairsAndChecksTypes(t *testing.T) {
	fields := partnerFields(t)
	rows := []map[string]any{
		{"cust_no": "C1", "company_name": "Acme", "E-Mail": "a@acme.example", "zip_code": "1000", "created": "31/01/2024", "Country": "BE"},
		{"cust_no": "C2", "company_name": "Globex", "E-Mail": "b@globex.example", "zip_code": "75001", "created": "01/12/2023", "Country": "FR"},
	}
	var profiles []Profile
	for _, c := range []string{"cust_no", "company_name", "E-Mail", "zip_code", "created", "Country"} {
		profiles = append(profiles, ProfileColumn(record.Column{Name: c, Type: record.TypeString}, rows))
	}
	got := map[string]string{}
	for _, m := range Assign(profiles, fields) {
		got[m.Column] = m.Field
	}
	require.Equal(t, map[string]string{"company_name": "name", "E-Mail": "email", "zip_code": "zip", "Country": "country_id"}, got,
		"created is a date and res.partner has no writable date field of that name")
	key, ok := PickKey(profiles)
	require.True(t, ok)
	require.Equal(t, "cust_no", key)
}

func TestPickKeyRefusesDuplicatesAndEmptyValues(t *testing.T) {
	rows := []map[string]any{{"id": "1", "name": "a"}, {"id": "1", "name": ""}}
	profiles := []Profile{ProfileColumn(record.Column{Name: "id"}, rows), ProfileColumn(record.Column{Name: "name"}, rows)}
	_, ok := PickKey(profiles)
	require.False(t, ok)
}
