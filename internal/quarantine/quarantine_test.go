package quarantine

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNeutralizeFormulaCells(t *testing.T) {
	for in, want := range map[string]string{
		"=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
		"+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
		"-2+3":               "-2+3",
		"@SUM(A1)":           "'@SUM(A1)",
		"\tlead":             "'\tlead",
		"-12.5":              "-12.5",
		"+32 2 555 12 34":    "+32 2 555 12 34",
		"-SUM(A1)":           "'-SUM(A1)",
		"plain":              "plain",
		"":                   "",
	} {
		require.Equal(t, want, Neutralize(in), "%q", in)
	}
}
