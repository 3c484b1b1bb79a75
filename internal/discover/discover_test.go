package discover

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
)

func TestFindsPersonalColumnsWithoutValues(t *testing.T) {
	cols := []string{"cust_no", "name", "contact", "mail_1", "tel", "account", "vat", "street", "amount", "birthdate"}
	s := NewScanner(cols)
	rows := [][]any{
		{"C1", "Dupont SA", "Jean Dupont", "jean@example.be", "+32 2 555 12 34", "BE68539007547034", "BE 0123.456.789", "1 Rue Haute", "12.5", "1980-01-02"},
		{"C2", "Silva Lda", "Ana Silva", "ana@example.pt", "(021) 555-1234", "BE71096123456769", "PT123456789", "", "7", ""},
		{"C3", "Li Ltd", "Bo Li", "not an email", "", "", "", "", "0", ""},
	}
	for _, r := range rows {
		s.Add(record.New(record.Position{}, cols, r))
	}
	got := map[string]Finding{}
	for _, f := range s.Findings() {
		got[f.Column] = f
	}
	require.Equal(t, "email", got["mail_1"].Kind)
	require.InDelta(t, 2.0/3, got["mail_1"].Share, 1e-9)
	require.Equal(t, "phone", got["tel"].Kind)
	require.Equal(t, "iban", got["account"].Kind)
	require.Equal(t, "vat", got["vat"].Kind)
	require.Equal(t, "person_name", got["contact"].Kind)
	require.Equal(t, "name", got["contact"].Reason)
	require.Equal(t, "street", got["street"].Kind)
	require.Equal(t, "date_shift", got["birthdate"].Kind)
	require.Equal(t, "person_name", got["name"].Kind, "a name beside emails and phones is personal")
	require.NotContains(t, got, "cust_no")
	require.NotContains(t, got, "amount")
}

func TestAProductNameIsNotPersonal(t *testing.T) {
	s := NewScanner([]string{"sku", "name", "price"})
	s.Add(record.New(record.Position{}, []string{"sku", "name", "price"}, []any{"SKU-1", "Compact Bulb", "1,50"}))
	require.Empty(t, s.Findings())
}
