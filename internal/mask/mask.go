package mask

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// Masker masks values of a kind. It is safe for concurrent use.
type Masker struct {
	key []byte
}

// New returns a masker keyed by key (at least 16 bytes).
func New(key secret.String) (*Masker, error) {
	if len(key.Reveal()) < 16 {
		return nil, fmt.Errorf("mask: the masking key must be at least 16 characters")
	}
	return &Masker{key: []byte(key.Reveal())}, nil
}

// Kinds lists the masking kinds.
func Kinds() []string {
	return []string{"email", "phone", "person_name", "first_name", "last_name", "company_name", "street", "city", "zip", "iban", "vat", "date_shift", "amount", "text", "keep"}
}

// Mask returns the fake of value for kind. Empty stays empty; "keep"
// returns the value unchanged; an unknown kind is an error.
func (m *Masker) Mask(kind, value string) (string, error) {
	if strings.TrimSpace(value) == "" || kind == "keep" {
		return value, nil
	}
	h := m.sum(kind, value)
	var out string
	switch kind {
	case "email":
		out = email(h, value)
	case "phone", "zip":
		out = digits(h, value)
	case "person_name":
		out = pick(firstNames, h, 0) + " " + pick(lastNames, h, 8)
	case "first_name":
		out = pick(firstNames, h, 0)
	case "last_name":
		out = pick(lastNames, h, 8)
	case "company_name":
		out = pick(companyWords, h, 0) + " " + pick(companyWords, h, 8) + " " + pick(companyForms, h, 16)
	case "street":
		out = fmt.Sprintf("%d %s", 1+num(h, 0)%199, pick(streets, h, 8))
	case "city":
		out = pick(cities, h, 0)
	case "iban":
		out = iban(h, value)
	case "vat":
		out = vat(h, value)
	case "date_shift":
		return dateShift(h, value)
	case "amount":
		return amount(h, value)
	case "text":
		return "[masked]", nil
	default:
		return "", fmt.Errorf("mask: unknown kind %q (known: %s)", kind, strings.Join(Kinds(), ", "))
	}
	if out == value { // never hand back the original
		return m.Mask(kind, value+"\x00")
	}
	return out, nil
}

func (m *Masker) sum(kind, value string) []byte {
	mac := hmac.New(sha256.New, m.key)
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(strings.ToLower(strings.TrimSpace(value))))
	return mac.Sum(nil)
}

func num(h []byte, at int) uint64 { return binary.BigEndian.Uint64(h[at : at+8]) }

func pick(list []string, h []byte, at int) string { return list[num(h, at)%uint64(len(list))] }

// email keeps the shape local@domain.tld with a fake local part and a
// reserved example domain.
func email(h []byte, _ string) string {
	return "user-" + hex.EncodeToString(h[:5]) + "@example.com"
}

// digits replaces each digit, keeping every other character (+, spaces,
// dashes, letters of a postcode).
func digits(h []byte, value string) string {
	var b strings.Builder
	i := 0
	for _, r := range value {
		if unicode.IsDigit(r) {
			b.WriteByte(byte('0' + h[i%len(h)]%10))
			i++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// iban keeps the country and length and computes valid check digits.
func iban(h []byte, value string) string {
	v := strings.ToUpper(strings.ReplaceAll(value, " ", ""))
	if len(v) < 5 || !unicode.IsLetter(rune(v[0])) || !unicode.IsLetter(rune(v[1])) {
		return digits(h, value)
	}
	country := v[:2]
	var bban strings.Builder
	for i, r := range v[4:] {
		switch {
		case unicode.IsDigit(r):
			bban.WriteByte(byte('0' + h[i%len(h)]%10))
		case unicode.IsLetter(r):
			bban.WriteByte(byte('A' + h[i%len(h)]%26))
		}
	}
	return country + checkDigits(country, bban.String()) + bban.String()
}

// checkDigits computes ISO 13616 check digits: 98 - (BBAN+country+00 mod 97).
func checkDigits(country, bban string) string {
	var s strings.Builder
	for _, r := range bban + country + "00" {
		if unicode.IsLetter(r) {
			s.WriteString(fmt.Sprint(int(r-'A') + 10))
		} else {
			s.WriteRune(r)
		}
	}
	n, _ := new(big.Int).SetString(s.String(), 10)
	mod := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%02d", 98-mod)
}

// ValidIBAN reports whether an IBAN's check digits are right.
func ValidIBAN(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(s) < 5 {
		return false
	}
	return checkDigits(s[:2], s[4:]) == s[2:4]
}

// dateShift moves a date (YYYY-MM-DD, or DD/MM/YYYY) by up to ±180 days.
func dateShift(h []byte, value string) (string, error) {
	shift := time.Duration(int64(num(h, 0)%361)-180) * 24 * time.Hour
	if shift == 0 {
		shift = 24 * time.Hour
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, strings.TrimSpace(value)); err == nil {
			return t.Add(shift).Format(layout), nil
		}
	}
	return "", fmt.Errorf("mask: date_shift: %q is not a date (YYYY-MM-DD or DD/MM/YYYY)", value)
}
