package odoo

import "math"

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
	if value == 0 {
		return 0
	}
	factor := 1.0
	if digits > 0 {
		factor = math.Pow10(digits)
	}
	normalized := value * factor
	epsilon := math.Pow(2, math.Log2(math.Abs(normalized))-50)
	return pyRound(normalized+math.Copysign(epsilon, normalized)) / factor
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
