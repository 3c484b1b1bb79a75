package pipeline

import "encoding/binary"

// rebuildWindow is how many slots of a table on disk are built in memory
// and written at once when it grows (1 MiB).
const rebuildWindow = 1 << 16

// rebuild fills next, an empty table on disk at least twice x's size,
// with x's entries, window by window in slot order, so that growing a
// spilled table costs sequential writes rather than two system calls an
// entry. Within a window each entry takes the first free slot from its
// home, as insert would; entries that run past a window's end are placed
// first in the next one, and those that run past the table's end wrap to
// its start, so every entry stays reachable by linear probing.
func (x *keyIndex) rebuild(next *keyIndex) {
	w := min(uint64(rebuildWindow), next.size)
	win := make([]uint64, 2*w)
	buf := make([]byte, w*slotBytes)
	var carry []uint64
	for a := uint64(0); a < next.size; a += w {
		clear(win)
		place := func(k, v uint64, from uint64) {
			for j := from; j < w; j++ {
				if win[2*j] == 0 {
					win[2*j], win[2*j+1] = k, v
					return
				}
			}
			carry = append(carry, k, v)
		}
		prev := carry
		carry = nil
		for i := 0; i < len(prev); i += 2 {
			place(prev[i], prev[i+1], 0)
		}
		x.scanHomes(a, w, next.size-1, func(k, v uint64) {
			next.addFilter(k)
			place(k, v, (k&(next.size-1))-a)
		})
		for j := uint64(0); j < w; j++ {
			binary.LittleEndian.PutUint64(buf[j*slotBytes:], win[2*j])
			binary.LittleEndian.PutUint64(buf[j*slotBytes+8:], win[2*j+1])
		}
		if _, err := next.f.WriteAt(buf, int64(a*slotBytes)); err != nil {
			x.b.fail(err)
			return
		}
	}
	for i := 0; i < len(carry); i += 2 {
		j, _, _ := next.probe(carry[i])
		next.store(j, carry[i], carry[i+1])
	}
}

// scanHomes calls fn for every entry of x whose home slot under mask
// (a larger table's) is in [a, a+w). Such an entry's home in x is
// a&(x.size-1) onwards, and it sits at or after its home with no free
// slot between: scanning from there past w slots up to a free one finds
// them all.
func (x *keyIndex) scanHomes(a, w, mask uint64, fn func(k, v uint64)) {
	if x.size == 0 {
		return
	}
	if w >= x.size {
		x.each(func(k, v uint64) {
			if h := k & mask; h >= a && h < a+w {
				fn(k, v)
			}
		})
		return
	}
	start := a & (x.size - 1)
	for n := uint64(0); n < x.size; {
		want := uint64(probeChunk * 16) // past the window: up to a free slot, usually near
		if n < w {
			want = w - n
		}
		chunk := x.slotRange((start+n)&(x.size-1), min(want, x.size-n))
		for j := 0; j+1 < len(chunk); j += 2 {
			k := chunk[j]
			if k == 0 && n >= w {
				return
			}
			n++
			if h := k & mask; k != 0 && h >= a && h < a+w {
				fn(k, chunk[j+1])
			}
		}
		if x.b.err != nil {
			return
		}
	}
}

// slotRange returns up to count slots from slot i (fewer at the table's
// end), as key, value pairs.
func (x *keyIndex) slotRange(i, count uint64) []uint64 {
	count = min(count, x.size-i)
	if x.f == nil {
		return x.slots[2*i : 2*(i+count)]
	}
	buf := make([]byte, count*slotBytes)
	if _, err := x.f.ReadAt(buf, int64(i*slotBytes)); err != nil {
		x.b.fail(err)
		return nil
	}
	out := make([]uint64, 2*count)
	for j := range out {
		out[j] = binary.LittleEndian.Uint64(buf[j*8:])
	}
	return out
}
