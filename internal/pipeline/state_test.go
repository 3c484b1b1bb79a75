package pipeline

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHashLowerIsHashOfLowerCase(t *testing.T) {
	for _, s := range []string{"", "acme.partners_P00000001", "ACME.X_Y-20Z", "müller.ÄÖ", "İ", "\xff\xfeA",
		strings.Repeat("Ab", 64), strings.Repeat("Ab", 65), strings.Repeat("É", 70)} {
		require.Equal(t, hash(strings.ToLower(s)), hashLower(s), "%q", s)
	}
}
