package scaffold

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeFoldsCaseAccentsSeparatorsAndAbbreviations(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Email", "email"},
		{"E-Mail", "email"},
		{"e_mail", "email"},
		{"Cust. No", "customer_number"},
		{"custNo", "customer_number"},
		{"Téléphone", "telephone"},
		{"Straße", "strasse"},
		{"Code postal", "code_post"},
		{"ZIP-Code", "zip_code"},
		{"  Tel. ", "phone"},
		{"VAT number", "vat_number"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			require.Equal(t, tc.want, Normalize(tc.in))
		})
	}
}

func TestSimilarity(t *testing.T) {
	require.InDelta(t, 1.0, similarity("email", "e_mail"), 0.001)
	require.Greater(t, similarity("countri", "country"), 0.75)
	require.Less(t, similarity("city", "vat"), 0.2)
}
