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

// TestKeyIndexPendingWrites checks a table on disk whose pending entries
// are written after every few inserts (many small flushes), and after a
// batch whose probes run across a window's end and across the table's
// end.
func TestKeyIndexPendingWrites(t *testing.T) {
	defer func(n int) { minPending = n }(minPending)
	for _, pending := range []int{1, 7} {
		minPending = pending
		b := &indexBudget{limit: -1, dir: t.TempDir()}
		x := newKeyIndex(b)
		want := map[uint64]uint64{}
		rng := rand.New(rand.NewPCG(5, uint64(pending)))
		for i := range 5000 {
			k, v := rng.Uint64()|1, uint64(i)
			if i%5 == 4 { // a key seen before: put replaces its value
				for k = range want {
					break
				}
				x.put(k, v)
				want[k] = v
				continue
			}
			_, seen := x.firstOrAdd(k, v)
			require.False(t, seen)
			want[k] = v
		}
		checkIndex(t, x, want, rng)
		x.release()
		require.NoError(t, b.err)
	}

	minPending = 1 << 20 // written only by the explicit flush below
	b := &indexBudget{limit: -1, dir: t.TempDir()}
	x := newKeyIndex(b)
	want := map[uint64]uint64{}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 60_000 {
		k := rng.Uint64() | 1
		x.put(k, uint64(i))
		want[k] = uint64(i)
	}
	x.flush()
	require.Equal(t, uint64(1<<17), x.size)
	for _, home := range []uint64{rebuildWindow - 1, x.size - 1} { // clusters across a window's end, the table's end
		for i := range 300 {
			k := rng.Uint64()<<17 | home
			x.put(k, uint64(i))
			want[k] = uint64(i)
		}
	}
	require.Equal(t, uint64(1<<17), x.size)
	x.flush()
	require.Empty(t, x.pend)
	checkIndex(t, x, want, rng)
	x.release()
	require.NoError(t, b.err)
}

func checkIndex(t *testing.T, x *keyIndex, want map[uint64]uint64, rng *rand.Rand) {
	t.Helper()
	require.Equal(t, uint64(len(want)), x.n)
	for k, v := range want {
		got, ok := x.get(k)
		require.True(t, ok)
		require.Equal(t, v, got)
	}
	for range 10_000 {
		k := rng.Uint64() &^ 1 // the keys above are odd
		_, ok := x.get(k)
		require.False(t, ok)
	}
}
