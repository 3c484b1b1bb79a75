package pipeline

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestKeyIndex checks the index against a map, in memory, spilling
// half-way, and on disk from the start.
func TestKeyIndex(t *testing.T) {
	for _, tc := range []struct {
		name    string
		limit   int64
		spilled bool
	}{
		{"memory", DefaultIndexBudget, false},
		{"spills while growing", 64 << 10, true},
		{"disk", -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &indexBudget{limit: tc.limit, dir: t.TempDir()}
			x := newKeyIndex(b)
			want := map[uint64]uint64{}
			rng := rand.New(rand.NewPCG(3, 4))
			for i := range 50_000 {
				k := rng.Uint64N(40_000) * 0x9e3779b97f4a7c15 // includes 0
				v := uint64(i)
				switch i % 3 {
				case 0:
					old, seen := x.firstOrAdd(k, v)
					w, ok := want[k]
					require.Equal(t, ok, seen)
					if ok {
						require.Equal(t, w, old)
					} else {
						want[k] = v
					}
				case 1:
					x.put(k, v)
					want[k] = v
				case 2:
					got, ok := x.get(k)
					w, wok := want[k]
					require.Equal(t, wok, ok)
					require.Equal(t, w, got)
				}
			}
			require.NoError(t, b.err)
			require.Equal(t, tc.spilled, b.spilled > 0)
			require.Equal(t, uint64(len(want)), x.n)
			x.release()
			require.NoError(t, b.err)
			require.Zero(t, b.used)
		})
	}
}
