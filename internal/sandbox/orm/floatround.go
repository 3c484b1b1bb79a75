package orm

import "github.com/ferry-migrate/ferry/internal/odoo"

// round rounds x to d decimals as Odoo stores it (d < 0: as is): Odoo's
// float_round, so 1.005 at 2 is 1.01, and a zero without sign (float_repr
// prints none and a numeric column holds none: Odoo reads -0.001 back as 0.0).
func round(x float64, d int) float64 {
	if d < 0 {
		return x
	}
	if r := odoo.FloatRound(x, d); r != 0 {
		return r
	}
	return 0
}
