package mask

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// The checks below are written from python-stdnum's validators (which
// Odoo's VAT check uses), independently of the generators.
func luhnValid(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func n(s string) int { v, _ := strconv.Atoi(s); return v }

var vatValid = map[string]func(string) bool{
	"BE": func(s string) bool { return len(s) == 10 && s[0] == '0' && (n(s[:8])+n(s[8:]))%97 == 0 },
	"DE": func(s string) bool {
		check := 5
		for _, r := range s {
			c := check
			if c == 0 {
				c = 10
			}
			check = ((c*2)%11 + int(r-'0')) % 10
		}
		return len(s) == 9 && s[0] != '0' && check == 1
	},
	"FR": func(s string) bool { return len(s) == 11 && n(s[:2]) == n(s[2:]+"12")%97 && luhnValid(s[2:]) },
	"IT": func(s string) bool {
		office := n(s[7:10])
		return len(s) == 11 && s[:7] != "0000000" && office >= 1 && office <= 100 && luhnValid(s)
	},
	"LU": func(s string) bool { return len(s) == 8 && n(s[:6])%89 == n(s[6:]) },
	"NL": func(s string) bool {
		if len(s) != 12 || s[9] != 'B' || s[10:] == "00" {
			return false
		}
		sum := 0
		for i := 0; i < 8; i++ {
			sum += (9 - i) * int(s[i]-'0')
		}
		return (sum-int(s[8]-'0'))%11 == 0
	},
}

func TestMaskedVATNumbersPassTheirCountrysCheck(t *testing.T) {
	m := masker(t, "0123456789abcdef")
	originals := map[string]string{"BE": "BE0477472701", "DE": "DE136695976", "FR": "FR40303265045", "IT": "IT00743110157", "LU": "LU15027442", "NL": "NL004495445B01"}
	for country, original := range originals {
		require.True(t, vatValid[country](original[2:]), "the check itself accepts %s", original)
		for i := 0; i < 2000; i++ {
			in := fmt.Sprintf("%s-%d", original, i)
			out, err := m.Mask("vat", in)
			require.NoError(t, err)
			require.Equal(t, country, out[:2])
			require.True(t, vatValid[country](out[2:]), "%s masks to %s, which fails the %s check", in, out, country)
		}
	}
	out, err := m.Mask("vat", "CHE-123.456.788 MWST")
	require.NoError(t, err)
	require.Regexp(t, `^CHE-\d{3}\.\d{3}\.\d{3} MWST$`, out, "other countries keep their shape")
}

func TestAmountsMoveWithinTheBoundAndKeepTheirForm(t *testing.T) {
	m := masker(t, "0123456789abcdef")
	var sum, masked float64
	for i := 1; i <= 5000; i++ {
		in := fmt.Sprintf("%d.%02d", i*7, i%100)
		out, err := m.Mask("amount", in)
		require.NoError(t, err)
		require.Regexp(t, `^\d+\.\d\d$`, out)
		a, _ := strconv.ParseFloat(in, 64)
		b, _ := strconv.ParseFloat(out, 64)
		require.InDelta(t, a, b, a*0.05+0.01, "%s → %s", in, out)
		require.NotEqual(t, in, out)
		sum, masked = sum+a, masked+b
		again, _ := m.Mask("amount", in)
		require.Equal(t, out, again, "deterministic")
	}
	require.InEpsilon(t, sum, masked, 0.01, "the noise averages out over many amounts")
	out, err := m.Mask("amount", "-1234,5")
	require.NoError(t, err)
	require.Regexp(t, `^-\d+,\d$`, out)
	_, err = m.Mask("amount", "1,234.56")
	require.ErrorContains(t, err, "not a plain decimal")
}
