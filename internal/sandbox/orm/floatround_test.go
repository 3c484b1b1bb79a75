package orm

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// Values written into product.template list_price (2 digits) and
// res.partner partner_latitude (7) of a real Odoo 18 and read back.
func TestRoundLikeOdoo18(t *testing.T) {
	for _, tc := range []struct {
		x      float64
		digits int
		want   float64
	}{
		{1.005, 2, 1.01}, {2.675, 2, 2.68}, {0.125, 2, 0.13}, {-1.005, 2, -1.01}, {1.0049999, 2, 1.0},
		{1.0049999999999994, 2, 1.01}, {1.004999999999999, 2, 1.0}, {8.345, 2, 8.35}, {1234567.895, 2, 1234567.9},
		{0.12345675, 7, 0.1234568}, {-0.12345675, 7, -0.1234568}, {1.005, -1, 1.005},
	} {
		require.Equal(t, tc.want, round(tc.x, tc.digits), "%v at %d", tc.x, tc.digits) //nolint:testifylint // exact: Odoo returns these floats
	}
	for _, x := range []float64{-0.001, math.Copysign(0, -1), -1e-9} {
		require.False(t, math.Signbit(round(x, 2)), "%v reads back as 0.0, not -0.0", x)
	}
}
