package mapping

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// layout converts a date format written with tokens (YYYY, YY, MM, M, DD,
// D, HH, hh, mm, ss, SSS, MON, Z) to a Go layout. A format that already
// is a Go layout (contains 2006) is kept.
func layout(f string) string {
	if strings.Contains(f, "2006") {
		return f
	}
	if l, ok := layouts.Load(f); ok {
		return l.(string)
	}
	l := layoutTokens.Replace(f)
	layouts.Store(f, l)
	return l
}

// layoutTokens and layouts are built once: a Replacer is safe for
// concurrent use, and building one per value was a tenth of validate's time.
var (
	layoutTokens = strings.NewReplacer("YYYY", "2006", "YY", "06", "MON", "Jan", "MM", "01", "DD", "02",
		"HH", "15", "hh", "03", "mm", "04", "ss", "05", "SSS", "000", "Z", "Z07:00", "M", "1", "D", "2")
	layouts     sync.Map // format → Go layout
	numberSpace = strings.NewReplacer("\u00a0", "", "\u202f", "", " ", "", "'", "", "’", "")
)

// DefaultDateFormats are tried when parse_date is given no format.
var DefaultDateFormats = []string{"YYYY-MM-DD", "YYYY/MM/DD", "DD.MM.YYYY"}

func parseTime(s string, formats []string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, f := range formats {
		t, err := time.ParseInLocation(layout(f), s, loc)
		if err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ParseDate parses s with the first matching format into YYYY-MM-DD.
// Two-digit years follow Go's rule: 69–99 → 19xx, 00–68 → 20xx.
func ParseDate(s string, formats []string) (string, error) {
	if len(formats) == 0 {
		formats = DefaultDateFormats
	}
	t, ok := parseTime(s, formats, time.UTC)
	if !ok {
		return "", findingf("MAP213", "%q is not a date in format %s", s, strings.Join(formats, " or "))
	}
	return t.Format("2006-01-02"), nil
}

// ParseDatetime parses s with the first matching format, in zone (an IANA
// name; "" = UTC) unless the value carries its own offset, and returns it
// in UTC as YYYY-MM-DD HH:MM:SS.
func ParseDatetime(s string, formats []string, zone string) (string, error) {
	loc := time.UTC
	if zone != "" {
		l, err := time.LoadLocation(zone)
		if err != nil {
			return "", findingf("MAP213", "unknown time zone %q", zone)
		}
		loc = l
	}
	if len(formats) == 0 {
		formats = []string{"YYYY-MM-DD HH:mm:ss", "YYYY-MM-DDTHH:mm:ssZ", "YYYY-MM-DDTHH:mm:ss", "YYYY-MM-DD HH:mm", "YYYY-MM-DD"}
	}
	t, ok := parseTime(s, formats, loc)
	if !ok {
		return "", findingf("MAP213", "%q is not a datetime in format %s", s, strings.Join(formats, " or "))
	}
	return t.UTC().Format("2006-01-02 15:04:05"), nil
}

// ParseNumber parses a number written in a locale: "en" 1,234.56; "de",
// "fr", "es", "it", "nl", "pt" 1.234,56 (and 1 234,56); "ch" 1'234.56;
// "" guesses from the last separator.
func ParseNumber(s, locale string) (float64, error) {
	t := strings.TrimSpace(s)
	if hasNumberSpace(t) {
		t = numberSpace.Replace(t)
	}
	neg := false
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg, t = true, t[1:len(t)-1]
	}
	if strings.HasSuffix(t, "-") {
		neg, t = true, strings.TrimSuffix(t, "-")
	}
	dec := decimalSep(t, locale)
	if locale != "" && !wellGrouped(t, dec) {
		return 0, findingf("MAP214", "%q is not a number (locale %s)", s, locale)
	}
	if dec == ',' {
		t = commaDecimal(t)
	} else {
		t = strings.ReplaceAll(t, ",", "")
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, findingf("MAP214", "%q is not a number (locale %s)", s, orAuto(locale))
	}
	if neg {
		f = -f
	}
	return f, nil
}

// hasNumberSpace reports whether t may hold a character numberSpace
// removes: a space, an apostrophe, or the first byte of U+00A0, U+202F or
// U+2019. Replace copies the value even when nothing matches.
func hasNumberSpace(t string) bool {
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case ' ', '\'', 0xc2, 0xe2:
			return true
		}
	}
	return false
}

// wellGrouped checks the separators of a number written in a declared
// locale: one decimal separator at most, and grouping separators only
// before it, between groups of three digits ("1.234.567,8" in de). A text
// that contradicts the locale ("1,234.56" in de) must not be read as
// another number.
func wellGrouped(t string, dec byte) bool {
	group := byte('.')
	if dec == '.' {
		group = ','
	}
	intPart, _, hasDec := strings.Cut(t, string(dec))
	if hasDec && strings.ContainsAny(t[len(intPart)+1:], ".,") {
		return false
	}
	first, rest, grouped := strings.Cut(strings.TrimLeft(intPart, "+-"), string(group))
	if !grouped {
		return true
	}
	if len(first) == 0 || len(first) > 3 {
		return false
	}
	for {
		g, more, again := strings.Cut(rest, string(group))
		if len(g) != 3 {
			return false
		}
		if !again {
			return true
		}
		rest = more
	}
}

// commaDecimal is strings.ReplaceAll(strings.ReplaceAll(t, ".", ""), ",",
// "."), building one string instead of two.
func commaDecimal(t string) string {
	if !strings.ContainsAny(t, ".,") {
		return t
	}
	var b strings.Builder
	b.Grow(len(t))
	for i := 0; i < len(t); i++ {
		switch c := t[i]; c {
		case '.':
		case ',':
			b.WriteByte('.')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func orAuto(l string) string {
	if l == "" {
		return "auto"
	}
	return l
}

func decimalSep(t, locale string) byte {
	switch strings.ToLower(locale) {
	case "en", "us", "gb", "ch", "c":
		return '.'
	case "de", "fr", "es", "it", "nl", "pt", "eu", "be", "at", "dk", "se", "no", "fi":
		return ','
	}
	i, j := strings.LastIndexByte(t, '.'), strings.LastIndexByte(t, ',')
	if j > i && (strings.Count(t, ",") == 1) {
		return ','
	}
	return '.'
}

var trueWords = map[string]bool{"1": true, "y": true, "yes": true, "true": true, "t": true, "x": true,
	"on": true, "oui": true, "o": true, "ja": true, "j": true, "si": true, "sí": true, "s": true, "vrai": true, "wahr": true}
var falseWords = map[string]bool{"0": true, "n": true, "no": true, "false": true, "f": true, "off": true,
	"non": true, "nein": true, "faux": true, "falsch": true, "nee": true}

// ParseBool reads Y/N, Oui/Non, Ja/Nein, 1/0, true/false (any case).
// An empty value is nil.
func ParseBool(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	case float64:
		return x != 0, nil
	}
	s := strings.ToLower(strings.TrimSpace(str(v)))
	switch {
	case s == "":
		return nil, nil
	case trueWords[s]:
		return true, nil
	case falseWords[s]:
		return false, nil
	}
	return nil, findingf("MAP215", "%q is not a boolean (Y/N, Oui/Non, Ja/Nein, 1/0, true/false)", str(v))
}

// CurrencyDigits returns the minor-unit digits of an ISO 4217 code (2 by default).
func CurrencyDigits(code string) int {
	switch strings.ToUpper(code) {
	case "JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "XPF", "PYG", "UGX", "RWF", "KMF", "GNF", "DJF", "BIF", "VUV":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	case "CLF", "UYW":
		return 4
	}
	return 2
}

// Round rounds half away from zero to digits.
func Round(f float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(f*p) / p
}
