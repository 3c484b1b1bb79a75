package mapping

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// The functions below are the library's string functions as they were
// before their fast paths; the tests hold the new ones to them.

func titleBefore(s string) string { return cases.Title(language.Und).String(strings.ToLower(s)) }

func digitsBefore(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func vatBefore(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var fastPathSamples = []string{
	"", " ", "anna müller", "ANNA MÜLLER", "jean-paul o'neil", "l'été à paris", "ǆemal", "ΟΔΟΣ οδός",
	"straße", "mc donald's", "x  y\tz", "abc123def 4ever", "o’brien", "\xff\xfeab", "a.b,c;d:e", "İstanbul",
	"ﬁsh ﬂour", "dž", "hello_world", "çava", "+49 30 1234567", "0170-1234567", "DE000000123", "fr 12 345",
	"1.234,56", "1 234,56", "1\u00a0234,56", "1\u202f234,56", "1'234.56", "1’234.56", "(12,5)", "12,5-",
	strings.Repeat("wörd ", 100), strings.Repeat("a", 300),
}

func randomText(rng *rand.Rand) string {
	const alphabet = "aAzZ09 -'’.,_\t\u00a0\u202fßüÜéÉǅǆΣσςİıﬁ\xff"
	runes := []rune(alphabet)
	n := rng.IntN(40)
	var b strings.Builder
	for range n {
		b.WriteRune(runes[rng.IntN(len(runes))])
	}
	return b.String()
}

func TestStringFastPathsMatchBefore(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	samples := append([]string(nil), fastPathSamples...)
	for range 20000 {
		samples = append(samples, randomText(rng))
	}
	for _, s := range samples {
		require.Equal(t, titleBefore(s), titleCase(s), "title(%q)", s)
		require.Equal(t, digitsBefore(s), Digits(s), "digits(%q)", s)
		require.Equal(t, vatBefore(s), NormalizeVAT(s), "normalize_vat(%q)", s)
	}
}

func TestParseNumberSkipsReplaceWhenNothingMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	samples := append([]string(nil), fastPathSamples...)
	for range 20000 {
		samples = append(samples, randomText(rng))
	}
	for _, s := range samples {
		if !hasNumberSpace(s) {
			require.Equal(t, s, numberSpace.Replace(s), "%q", s)
		}
	}
}

func FuzzTitleMatchesCaser(f *testing.F) {
	for _, s := range fastPathSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := titleCase(s), titleBefore(s); got != want {
			t.Fatalf("title(%q) = %q, want %q", s, got, want)
		}
	})
}

// encodeKeyBefore is EncodeKey without its fast path for plain keys.
func encodeKeyBefore(ids *IDs, parts []string, personal bool) (string, bool) {
	raw := strings.Join(parts, "\x1f")
	if personal {
		return ids.hash(raw), true
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(partSeparator)
		}
		encodePart(&b, p)
	}
	if b.Len() > MaxKeyBytes {
		return ids.hash(raw), true
	}
	return b.String(), false
}

func TestEncodeKeyAndText1FastPathsMatchBefore(t *testing.T) {
	ids := NewIDs("acme", secret.New("k"))
	rng := rand.New(rand.NewPCG(7, 8))
	samples := append([]string(nil), fastPathSamples...)
	samples = append(samples, "C001", "a_b.c", strings.Repeat("x", 64), strings.Repeat("x", 65), "P00000001")
	for range 20000 {
		samples = append(samples, randomText(rng))
	}
	trim, lower := text1(strings.TrimSpace), text1(strings.ToLower)
	for _, s := range samples {
		for _, parts := range [][]string{{s}, {s, "x"}} {
			for _, personal := range []bool{false, true} {
				got, gotHashed := ids.EncodeKey(parts, personal)
				want, wantHashed := encodeKeyBefore(ids, parts, personal)
				require.Equal(t, want, got, "%q", parts)
				require.Equal(t, wantHashed, gotHashed, "%q", parts)
			}
		}
		for _, f := range []func(...any) (any, error){trim, lower} {
			v, err := f(s)
			require.NoError(t, err)
			require.IsType(t, "", v)
		}
		v, _ := trim(s)
		require.Equal(t, strings.TrimSpace(s), v)
		v, _ = lower(s)
		require.Equal(t, strings.ToLower(s), v)
	}
}

// TestTitleASCIIMatchesCaser compares title's ASCII path with the caser
// on every string of up to three ASCII characters and on random longer
// ones made mostly of letters, digits, _, the word-continuing ' . : and
// some characters that end a word.
func TestTitleASCIIMatchesCaser(t *testing.T) {
	check := func(s string) {
		got, ok := titleASCII(s)
		require.True(t, ok)
		if want := titleBefore(s); got != want {
			require.Equal(t, want, got, "title(%q)", s)
		}
	}
	for a := range 128 {
		check(string(rune(a)))
		for b := range 128 {
			check(string([]byte{byte(a), byte(b)}))
			for c := range 128 {
				check(string([]byte{byte(a), byte(b), byte(c)}))
			}
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	alphabet := []byte("aZqQ09_ '.:,;-\t\x00\x7f^`!")
	for range 200_000 {
		b := make([]byte, rng.IntN(80))
		for i := range b {
			if rng.IntN(3) == 0 {
				b[i] = byte(rng.IntN(128))
			} else {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		check(string(b))
	}
	_, ok := titleASCII("müller")
	require.False(t, ok)
}

// wellGroupedBefore is wellGrouped as it was, with strings.Split.
func wellGroupedBefore(t string, dec byte) bool {
	group := byte('.')
	if dec == '.' {
		group = ','
	}
	intPart, _, hasDec := strings.Cut(t, string(dec))
	if hasDec && strings.ContainsAny(t[len(intPart)+1:], ".,") {
		return false
	}
	groups := strings.Split(strings.TrimLeft(intPart, "+-"), string(group))
	for i, g := range groups[1:] {
		if len(g) != 3 || (i == 0 && (len(groups[0]) == 0 || len(groups[0]) > 3)) {
			return false
		}
	}
	return true
}

func TestParseNumberHelpersMatchBefore(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	samples := append([]string(nil), fastPathSamples...)
	samples = append(samples, "1.234.567,89", "1,234,567.89", "12.34.567", ".123", "1234.", ",5", "-1.000", "+1.000,5",
		"1..000", "1.0000", "1.00", "")
	const alphabet = "0123456789.,.,+- ée"
	for range 100_000 {
		b := make([]byte, rng.IntN(14))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		samples = append(samples, string(b))
	}
	for _, s := range samples {
		require.Equal(t, strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", "."), commaDecimal(s), "%q", s)
		for _, dec := range []byte{'.', ','} {
			require.Equal(t, wellGroupedBefore(s, dec), wellGrouped(s, dec), "%q %c", s, dec)
		}
	}
}
