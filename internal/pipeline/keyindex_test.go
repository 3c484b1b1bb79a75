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
		keys    int
		spilled bool
	}{
		{"memory", DefaultIndexBudget, 40_000, false},
		{"spills while growing", 64 << 10, 40_000, true},
		{"disk", -1, 40_000, true},
		{"disk, tables of several rebuild windows", 1 << 20, 300_000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &indexBudget{limit: tc.limit, dir: t.TempDir()}
			x := newKeyIndex(b)
			want := map[uint64]uint64{}
			rng := rand.New(rand.NewPCG(3, 4))
			pool := make([]uint64, tc.keys)
			for i := range pool[1:] {
				pool[i+1] = rng.Uint64()
			}
			for i := range tc.keys * 5 / 4 {
				k := pool[rng.IntN(len(pool))] // pool[0] is 0
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
