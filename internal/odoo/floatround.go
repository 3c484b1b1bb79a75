package odoo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FloatRound is Odoo's float_round(value, precision_digits=digits) with its
// default HALF-UP method (odoo/tools/float_utils.py, Odoo 18 and 19), step
// for step in float64: normalize to value·10^digits (Odoo inverts the
// rounding factor 10^-digits to exactly 10^digits), add an epsilon of
// 2^(log2|normalized| − 50) away from zero — so 1.005, stored as
// 1.00499999999999989…, rounds to 1.01 and not 1.00 — then round half away
// from zero with float_utils' own round, and divide by 10^digits again.
// Older Odoo versions add a smaller epsilon (2^(… − 52) or − 53), so a few
// values within 8 units in the last place below a tie round down there.
//
// The epsilon is computed as Odoo computes it, through log2 and a power
// of two, not as the exact |normalized|·2^-50: above 2^47 units the two
// differ in the last bit often enough to change the result (checked
// against Odoo 18's float_round under Python on 13 million values around
// ties: identical results, bit for bit).
func FloatRound(value float64, digits int) float64 {
	return FloatRoundStep(value, math.Pow10(-digits))
}

// FloatRoundStep is float_round(value, precision_rounding=step), how a
// currency rounds (res.currency.round): a step below 1 is inverted first
// (float_invert: exactly for 1, 2 and 5 times a power of ten, otherwise
// from its 15-digit decimal form) and the value multiplied by it; a step of
// 1 or more divides. A step of 0 gives 0, as in Odoo.
func FloatRoundStep(value, step float64) float64 {
	if value == 0 || step == 0 {
		return 0
	}
	normalized, inverted := value/step, 0.0
	if step < 1 {
		inverted = floatInvert(step)
		normalized = value * inverted
	}
	epsilon := math.Pow(2, math.Log2(math.Abs(normalized))-50)
	r := pyRound(normalized + math.Copysign(epsilon, normalized))
	if inverted != 0 {
		return r / inverted
	}
	return r * step
}

// floatInvert is float_utils' float_invert: 1/v exactly for v of 1, 2 or 5
// times 10^-k (k = 1…10), otherwise coefficient and exponent of v's
// "%.15e" form inverted separately.
func floatInvert(v float64) float64 {
	if r, ok := invertTable[v]; ok {
		return r
	}
	s := strconv.FormatFloat(v, 'e', 15, 64)
	i := strings.IndexByte(s, 'e')
	coef, _ := strconv.ParseFloat(s[:i], 64)
	exp, _ := strconv.Atoi(s[i+1:])
	return strconvFloat(s[:i]+"e"+strconv.Itoa(-exp)) / (coef * coef)
}

// invertTable is float_utils' _INVERTDICT: 1e-k → 1e+k, 2e-k → 5e+(k-1),
// 5e-k → 2e+(k-1), keyed by the literals as Python parses them.
var invertTable = func() map[float64]float64 {
	m := map[float64]float64{}
	for k := 1; k <= 10; k++ {
		for _, c := range [3]int{1, 2, 5} {
			m[strconvFloat(fmt.Sprintf("%de-%d", c, k))] = strconvFloat(fmt.Sprintf("%de+%d", 10/c, k-1))
		}
	}
	return m
}()

func strconvFloat(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// pyRound is float_utils' round: Python 2's round (half away from zero)
// written with Python 3's (half to even). When round(f+1) − round(f) is
// not 1 — f is a tie, or f+1 is not exact — it returns f ± 0.5, which is
// the away-from-zero integer for a tie but not always an integer (f =
// 0.49999999999999994 gives 1): reproduced as written.
func pyRound(f float64) float64 {
	r := math.RoundToEven(f)
	if math.RoundToEven(f+1)-r != 1 {
		return f + math.Copysign(0.5, f)
	}
	return math.Copysign(r, f)
}
