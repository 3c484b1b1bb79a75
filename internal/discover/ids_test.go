package discover

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
)

func TestCardsAndNationalIDsAreFoundByTheirValues(t *testing.T) {
	require.True(t, isCard("4111 1111 1111 1111"))
	require.True(t, isCard("5500-0000-0000-0004"))
	require.False(t, isCard("4111 1111 1111 1112"), "Luhn")
	require.True(t, isNationalID("85.07.30-033.28"), "Belgian national number")
	require.True(t, isNationalID("1 85 05 78 006 084 91"), "French NIR")
	require.False(t, isNationalID("1 85 05 78 006 084 36"), "French NIR key")
	require.True(t, isNationalID("078-05-1120"), "US SSN shape")
	require.False(t, isNationalID("85.07.30-033.29"))

	s := NewScanner([]string{"card_no", "nn", "amount"})
	for i := 0; i < 10; i++ {
		s.Add(&record.Record{Values: map[string]any{"card_no": "4111 1111 1111 1111", "nn": "85.07.30-033.28", "amount": fmt.Sprint(100 + i)}})
	}
	got := map[string]Finding{}
	for _, f := range s.Findings() {
		got[f.Column] = f
	}
	require.Equal(t, "card", got["card_no"].Class)
	require.Equal(t, "text", got["card_no"].Kind)
	require.Equal(t, "national_id", got["nn"].Class)
	require.NotContains(t, got, "amount")
}
