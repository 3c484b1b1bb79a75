package mask

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// amountRE is a plain decimal: sign, digits, and a '.' or ',' with decimals.
var amountRE = regexp.MustCompile(`^\s*([+-]?)(\d+)(?:([.,])(\d+))?\s*$`)

// amountNoise is the bound of the amount kind's relative noise (±5%).
const amountNoise = 0.05

// amount moves a decimal by a keyed factor within ±5%, keeping its sign,
// decimal separator and number of decimals, so totals stay plausible
// while no single amount can be matched back to a document.
func amount(h []byte, value string) (string, error) {
	m := amountRE.FindStringSubmatch(value)
	if m == nil {
		return "", fmt.Errorf("mask: amount: %q is not a plain decimal (digits, optional . or , and decimals)", value)
	}
	units, err := strconv.ParseInt(m[2]+m[4], 10, 64)
	if err != nil {
		return "", fmt.Errorf("mask: amount: %q is too large", value)
	}
	factor := 1 + amountNoise*(float64(num(h, 0)%20001)/10000-1)
	moved := int64(math.Round(float64(units) * factor))
	if moved == units && units != 0 {
		moved++
	}
	s := strconv.FormatInt(moved, 10)
	dec := len(m[4])
	if dec == 0 {
		return m[1] + s, nil
	}
	if len(s) <= dec {
		s = strings.Repeat("0", dec-len(s)+1) + s
	}
	return m[1] + s[:len(s)-dec] + m[3] + s[len(s)-dec:], nil
}
