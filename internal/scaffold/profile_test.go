package scaffold

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
)

func column(values ...any) []map[string]any {
	rows := make([]map[string]any, len(values))
	for i, v := range values {
		rows[i] = map[string]any{"c": v}
	}
	return rows
}

func TestProfileGuessesKindsFormatsAndLocales(t *testing.T) {
	for _, tc := range []struct {
		name           string
		values         []any
		kind           Kind
		format, locale string
		ambig          string
	}{
		{"iso dates", []any{"2024-01-31", "2023-12-01"}, KindDate, "YYYY-MM-DD", "", ""},
		{"european dates", []any{"31/01/2024", "01/12/2023"}, KindDate, "DD/MM/YYYY", "", ""},
		{"american dates", []any{"01/31/2024", "12/01/2023"}, KindDate, "MM/DD/YYYY", "", ""},
		{"ambiguous dates", []any{"01/02/2024", "03/04/2023"}, KindDate, "DD/MM/YYYY", "", "MM/DD/YYYY"},
		{"german dates", []any{"31.01.2024", "1.12.2023"}, KindDate, "D.M.YYYY", "", ""},
		{"datetimes", []any{"2024-01-31 10:15:00"}, KindDateTime, "YYYY-MM-DD HH:mm:ss", "", ""},
		{"german numbers", []any{"1.234,56", "12,5", "3"}, KindNumber, "", "de", ""},
		{"english numbers", []any{"1,234.56", "12.5"}, KindNumber, "", "en", ""},
		{"plain decimals", []any{"12.5", "3"}, KindNumber, "", "en", ""},
		{"integers", []any{"12", "-3"}, KindInt, "", "", ""},
		{"codes with leading zeros stay text", []any{"0012", "0042"}, KindText, "", "", ""},
		{"booleans", []any{"Y", "N", "y"}, KindBool, "", "", ""},
		{"emails", []any{"a@example.com", "b@example.org"}, KindEmail, "", "", ""},
		{"phones", []any{"+32 2 555 01 01", "(02) 555-0102"}, KindPhone, "", "", ""},
		{"text", []any{"Acme", "Globex"}, KindText, "", "", ""},
		{"empty", []any{"", nil, "  "}, KindEmpty, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ProfileColumn(record.Column{Name: "c", Type: record.TypeString}, column(tc.values...))
			require.Equal(t, tc.kind, p.Kind)
			require.Equal(t, tc.format, p.Format)
			require.Equal(t, tc.locale, p.Locale)
			require.Equal(t, tc.ambig, p.Ambig)
		})
	}
}

func TestProfileTrustsADatabaseColumnsType(t *testing.T) {
	d := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	p := ProfileColumn(record.Column{Name: "c", Type: record.TypeDate}, column(d, nil))
	require.Equal(t, KindDate, p.Kind)
	require.True(t, p.Typed)
	require.Equal(t, 1, p.NonEmpty)
	require.False(t, p.Unique && p.NonEmpty == p.Values, "a column with an empty value is no key")
}

func TestProfileCountsUniqueness(t *testing.T) {
	require.True(t, ProfileColumn(record.Column{Name: "c"}, column("a", "b", "c")).Unique)
	require.False(t, ProfileColumn(record.Column{Name: "c"}, column("a", "b", "a")).Unique)
}
