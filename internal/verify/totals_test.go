package verify

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCompareTotalsToleranceEdges(t *testing.T) {
	cases := []struct {
		name   string
		src    float64
		tgt    float64
		tol    float64
		status Status
	}{
		{"equal", 100.10, 100.10, 0, Match},
		{"one cent off, no tolerance", 100.10, 100.11, 0, Differ},
		{"exactly at tolerance", 100.10, 100.11, 0.01, Match},
		{"just over tolerance", 100.10, 100.12, 0.01, Differ},
		{"negative side at tolerance", 100.10, 100.09, 0.01, Match},
		{"negative side over", 100.10, 100.0899, 0.01, Differ},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := CompareTotals("ar", map[string]float64{"7": tc.src}, map[string]float64{"7": tc.tgt}, tc.tol)
			require.Equal(t, tc.status, r.Status, "%+v", r.Diffs)
		})
	}
}

func TestCompareTotalsGroupsOnOneSide(t *testing.T) {
	r := CompareTotals("ar", map[string]float64{"1": 10, "2": 5}, map[string]float64{"1": 10, "3": 7}, 0.01)
	require.Equal(t, Differ, r.Status)
	require.Equal(t, []TotalDiff{
		{Group: "2", Source: 5, Delta: -5, Only: "source"},
		{Group: "3", Target: 7, Delta: 7, Only: "target"},
	}, r.Diffs)
	require.InDelta(t, 15.0, r.Source, 1e-9)
	require.InDelta(t, 17.0, r.Target, 1e-9)
}

func TestSkippedNeverPasses(t *testing.T) {
	r := Skipped("trial balance", "needs read access to account.move.line")
	require.Equal(t, NotChecked, r.Status)
	require.NotEqual(t, Match, r.Status)
}
