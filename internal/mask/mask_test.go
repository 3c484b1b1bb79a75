package mask

import (
	"fmt"
	"net/mail"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/secret"
)

func masker(t testing.TB, key string) *Masker {
	m, err := New(secret.New(key))
	require.NoError(t, err)
	return m
}

func TestDeterministicAndKeyed(t *testing.T) {
	a, b := masker(t, "0123456789abcdef-one"), masker(t, "0123456789abcdef-two")
	for _, kind := range Kinds() {
		in := map[string]string{"iban": "BE68539007547034", "date_shift": "2024-03-01", "vat": "BE0123456789", "amount": "1234.56"}[kind]
		if in == "" {
			in = "Jean Dupont +32 2 555 12 34 jean.dupont@example.be"
		}
		x, err := a.Mask(kind, in)
		require.NoError(t, err, kind)
		y, _ := a.Mask(kind, in)
		require.Equal(t, x, y, "%s: the same key masks the same way", kind)
		if kind == "keep" {
			require.Equal(t, in, x)
			continue
		}
		require.NotEqual(t, in, x, "%s: never the original", kind)
		z, _ := b.Mask(kind, in)
		if kind != "text" {
			require.NotEqual(t, x, z, "%s: another key gives another fake", kind)
		}
	}
}

func TestShapesSurvive(t *testing.T) {
	m := masker(t, "0123456789abcdef")
	e, _ := m.Mask("email", "Jean.Dupont@Example.BE")
	_, err := mail.ParseAddress(e)
	require.NoError(t, err, e)
	same, _ := m.Mask("email", "  jean.dupont@example.be ")
	require.Equal(t, e, same, "case and spaces do not change the fake, so duplicates stay duplicates")
	p, _ := m.Mask("phone", "+32 (2) 555-12-34")
	require.Regexp(t, `^\+\d\d \(\d\) \d{3}-\d\d-\d\d$`, p)
	for i := 0; i < 200; i++ {
		ib, err := m.Mask("iban", fmt.Sprintf("BE68 5390 0754 %04d", i))
		require.NoError(t, err)
		require.True(t, ValidIBAN(ib), ib)
		require.Len(t, ib, 16)
		require.Equal(t, "BE", ib[:2])
	}
	d, err := m.Mask("date_shift", "31/12/2024")
	require.NoError(t, err)
	require.Regexp(t, `^\d\d/\d\d/\d{4}$`, d)
	_, err = m.Mask("date_shift", "yesterday")
	require.ErrorContains(t, err, "is not a date")
	v, _ := m.Mask("vat", "BE 0123.456.789")
	require.Equal(t, "BE", v[:2])
	empty, _ := m.Mask("email", "")
	require.Empty(t, empty)
}

func TestUnknownKindAndShortKey(t *testing.T) {
	_, err := masker(t, "0123456789abcdef").Mask("shoe_size", "42")
	require.ErrorContains(t, err, `unknown kind "shoe_size"`)
	_, err = New(secret.New("short"))
	require.ErrorContains(t, err, "at least 16")
}

// Emails are the join key most plans mask; distinct inputs must stay
// distinct (40 bits of hash: collisions among 100,000 are unlikely).
func TestEmailCollisions(t *testing.T) {
	m := masker(t, "0123456789abcdef")
	seen := map[string]string{}
	for i := 0; i < 100_000; i++ {
		in := fmt.Sprintf("person%d@example.org", i)
		out, _ := m.Mask("email", in)
		if prev, dup := seen[out]; dup {
			t.Fatalf("%s and %s both mask to %s", prev, in, out)
		}
		seen[out] = in
	}
}

// BenchmarkMask measures one core masking values of each kind
// (values/s = 1e9 / ns/op).
func BenchmarkMask(b *testing.B) {
	m := masker(b, "0123456789abcdef")
	samples := map[string]string{"email": "jean.dupont@example.be", "phone": "+32 2 555 12 34", "person_name": "Jean Dupont",
		"company_name": "Dupont & Fils SA", "street": "Rue de la Loi 16", "iban": "BE68539007547034", "vat": "BE0477472701",
		"date_shift": "1984-03-01", "amount": "1234.56", "text": "call me on Tuesday"}
	for _, kind := range Kinds() {
		in, ok := samples[kind]
		if !ok {
			continue
		}
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				if _, err := m.Mask(kind, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "values/s")
		})
	}
}
