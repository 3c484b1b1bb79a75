package mask

import (
	"fmt"
	"strings"
	"unicode"
)

// vatGenerators make a VAT number with a valid check for its country from
// hash bytes; countries without one keep the shape with digits replaced.
// The checks are those Odoo's VAT validation applies (through
// python-stdnum).
var vatGenerators = map[string]func(h []byte) string{
	"BE": vatBE, "DE": vatDE, "FR": vatFR, "IT": vatIT, "LU": vatLU, "NL": vatNL,
}

// vat keeps the country prefix; for the countries above the fake carries
// valid check digits, elsewhere the digits are replaced and the length kept.
func vat(h []byte, value string) string {
	v := strings.ToUpper(strings.Join(strings.Fields(value), ""))
	if len(v) > 2 && unicode.IsLetter(rune(v[0])) && unicode.IsLetter(rune(v[1])) {
		if gen, ok := vatGenerators[v[:2]]; ok {
			return v[:2] + gen(h)
		}
		return digits(h, value)
	}
	return digits(h, value)
}

// randDigits returns n digits from h starting at byte at.
func randDigits(h []byte, at, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = int(h[(at+i)%len(h)]) % 10
	}
	return out
}

func digitString(ds []int) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteByte(byte('0' + d))
	}
	return b.String()
}

func atoi(ds []int) int {
	n := 0
	for _, d := range ds {
		n = n*10 + d
	}
	return n
}

// luhnDigit is the Luhn check digit to append to ds.
func luhnDigit(ds []int) int {
	sum := 0
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		if (len(ds)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// vatBE: 0 + 7 digits (the first non-zero) + 97 - (first 8 mod 97).
func vatBE(h []byte) string {
	ds := append([]int{0, 1 + int(h[0])%9}, randDigits(h, 1, 6)...)
	return fmt.Sprintf("%s%02d", digitString(ds), 97-atoi(ds)%97)
}

// vatDE: 8 digits (the first non-zero) and an ISO 7064 MOD 11,10 digit.
func vatDE(h []byte) string {
	ds := append([]int{1 + int(h[0])%9}, randDigits(h, 1, 7)...)
	check := 5
	for _, d := range ds {
		c := check
		if c == 0 {
			c = 10
		}
		check = ((c*2)%11 + d) % 10
	}
	if check == 0 {
		check = 10
	}
	return digitString(ds) + fmt.Sprint((1-(check*2)%11+10)%10)
}

// vatFR: a key of 2 digits, then a SIREN (8 digits and a Luhn digit);
// key = (SIREN·100 + 12) mod 97.
func vatFR(h []byte) string {
	ds := append([]int{1 + int(h[0])%9}, randDigits(h, 1, 7)...)
	ds = append(ds, luhnDigit(ds))
	return fmt.Sprintf("%02d%s", (atoi(ds)%97*100+12)%97, digitString(ds))
}

// vatIT: 7 digits (not all zero), an office code 001–100, a Luhn digit.
func vatIT(h []byte) string {
	ds := append([]int{1 + int(h[0])%9}, randDigits(h, 1, 6)...)
	office := 1 + int(h[8])%100
	ds = append(ds, office/100, office/10%10, office%10)
	return digitString(append(ds, luhnDigit(ds)))
}

// vatLU: 6 digits and their value mod 89.
func vatLU(h []byte) string {
	ds := append([]int{1 + int(h[0])%9}, randDigits(h, 1, 5)...)
	return fmt.Sprintf("%s%02d", digitString(ds), atoi(ds)%89)
}

// vatNL: a BSN-style 9-digit number (weighted sum mod 11), B, and a
// two-digit branch 01–99.
func vatNL(h []byte) string {
	for at := 0; ; at++ {
		ds := append([]int{1 + int(h[at%len(h)])%9}, randDigits(h, at+1, 7)...)
		sum := 0
		for i, d := range ds {
			sum += d * (9 - i)
		}
		if check := sum % 11; check < 10 {
			return fmt.Sprintf("%s%dB%02d", digitString(ds), check, 1+int(h[9])%99)
		}
	}
}
