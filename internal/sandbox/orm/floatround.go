package orm

import "math"

// round rounds x to d decimals as Odoo stores it (d < 0: as is): Odoo's
// float_round, so 1.005 at 2 is 1.01, and a zero without sign (float_repr
// prints none and a numeric column holds none: Odoo reads -0.001 back as 0.0).
func round(x float64, d int) float64 {
	if d < 0 {
		return x
	}
	if r := floatRound(x, d); r != 0 {
		return r
	}
	return 0
}

// floatRound is Odoo's float_round(value, precision_digits=digits), HALF-UP
// (odoo/tools/float_utils.py, Odoo 18 and 19), step for step: value·10^digits,
// plus an epsilon of 2^(log2|n| − 50) away from zero, rounded half away from
// zero by float_utils' round, divided by 10^digits. It is the same function
// as verify's (internal/verify/canon.go), which compares what this returns.
func floatRound(value float64, digits int) float64 {
	if value == 0 {
		return 0
	}
	factor := 1.0
	if digits > 0 {
		factor = math.Pow10(digits)
	}
	n := value * factor
	epsilon := math.Pow(2, math.Log2(math.Abs(n))-50)
	return pyRound(n+math.Copysign(epsilon, n)) / factor
}

// pyRound is float_utils' round: half away from zero, written with
// Python 3's half-to-even round, including its f ± 0.5 fallback.
func pyRound(f float64) float64 {
	r := math.RoundToEven(f)
	if math.RoundToEven(f+1)-r != 1 {
		return f + math.Copysign(0.5, f)
	}
	return math.Copysign(r, f)
}
