package pipeline

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// A table on disk keeps two things in memory so that most look-ups and
// inserts cost no system call:
//
//   - a filter (Bloom, three bits a key, one byte a slot: about 2 %
//     false positives at the table's fullest) that says a key is certainly
//     not in the table, which is the answer for every new key;
//   - the entries inserted or changed since the table was last written
//     (pending), at most size/32 of them (at least minPending).
//
// Pending entries are written together, sorted by home slot, window by
// window: each window of the file that holds a home is read once, the
// entries are placed in it as insert would place them, and it is written
// back. A look-up checks the pending entries, then the filter, then the
// file.

// minPending is the fewest pending entries a table on disk collects
// before it writes them (a variable for tests).
var minPending = 4096

const filterHashes = 3

// initSpill gives a table just moved to (or grown on) disk its filter and
// an empty pending set.
func (x *keyIndex) initSpill() {
	x.fmem = allocBlock(int(x.size)) // 8 bits a slot
	x.filter = x.fmem.words()
	x.pend = map[uint64]uint64{}
}

// filterBits returns the filter positions of k (Kirsch–Mitzenmacher double
// hashing over a remix of the key hash, whose low bits pick its slot).
func (x *keyIndex) filterBits(k uint64) (h1, h2, mask uint64) {
	h := k * 0x9e3779b97f4a7c15
	return h >> 32, h&0xffffffff | 1, uint64(len(x.filter))*64 - 1
}

func (x *keyIndex) addFilter(k uint64) {
	h1, h2, mask := x.filterBits(k)
	for i := uint64(0); i < filterHashes; i++ {
		p := (h1 + i*h2) & mask
		x.filter[p>>6] |= 1 << (p & 63)
	}
}

func (x *keyIndex) mayHave(k uint64) bool {
	h1, h2, mask := x.filterBits(k)
	for i := uint64(0); i < filterHashes; i++ {
		p := (h1 + i*h2) & mask
		if x.filter[p>>6]&(1<<(p&63)) == 0 {
			return false
		}
	}
	return true
}

// lookupSpilled returns k's value in a table on disk.
func (x *keyIndex) lookupSpilled(k uint64) (uint64, bool) {
	if v, ok := x.pend[k]; ok {
		return v, true
	}
	if !x.mayHave(k) {
		return 0, false
	}
	_, v, ok := x.probeFile(k)
	return v, ok
}

// addPending records a new key of a table on disk (insert has counted it)
// and writes the pending entries once there are enough.
func (x *keyIndex) addPending(k, v uint64) {
	x.pend[k] = v
	x.addFilter(k)
	if len(x.pend) >= max(minPending, int(x.size/32)) {
		x.flush()
	}
}

type slotEntry struct{ k, v uint64 }

// flush writes the pending entries to the file.
func (x *keyIndex) flush() {
	if len(x.pend) == 0 || x.b.err != nil {
		return
	}
	mask := x.size - 1
	es := make([]slotEntry, 0, len(x.pend))
	for k, v := range x.pend {
		es = append(es, slotEntry{k, v})
	}
	slices.SortFunc(es, func(a, b slotEntry) int { return cmp.Compare(a.k&mask, b.k&mask) })
	w := min(uint64(rebuildWindow), x.size)
	win := make([]uint64, 2*w)
	buf := make([]byte, w*slotBytes)
	start := uint64(0)
	loaded := false
	for _, e := range es {
		if a := (e.k & mask) &^ (w - 1); !loaded || a != start {
			if loaded {
				x.writeWindow(start, win, buf)
			}
			start, loaded = a, true
			x.readWindow(start, win, buf)
		}
		if !placeInWindow(win, (e.k&mask)-start, w == x.size, e.k, e.v) {
			// the probe runs past the window: go on in the file, made
			// current first (rare: a cluster across a window's end)
			x.writeWindow(start, win, buf)
			i, _, _ := x.probeFile(e.k)
			x.store(i, e.k, e.v)
			x.readWindow(start, win, buf)
		}
	}
	if loaded {
		x.writeWindow(start, win, buf)
	}
	clear(x.pend)
}

// placeInWindow stores k in the window as insert would: in its slot if the
// window holds it, else in the first free slot from j. It wraps around
// only when the window is the whole table.
func placeInWindow(win []uint64, j uint64, whole bool, k, v uint64) bool {
	w := uint64(len(win) / 2)
	for n := uint64(0); n < w; n++ {
		switch win[2*j] {
		case k, 0:
			win[2*j], win[2*j+1] = k, v
			return true
		}
		if j++; j == w {
			if !whole {
				return false
			}
			j = 0
		}
	}
	return false
}

func (x *keyIndex) readWindow(start uint64, win []uint64, buf []byte) {
	if _, err := x.f.ReadAt(buf, int64(start*slotBytes)); err != nil {
		x.b.fail(err)
		clear(win)
		return
	}
	for j := range win {
		win[j] = binary.LittleEndian.Uint64(buf[j*8:])
	}
}

func (x *keyIndex) writeWindow(start uint64, win []uint64, buf []byte) {
	for j, v := range win {
		binary.LittleEndian.PutUint64(buf[j*8:], v)
	}
	if _, err := x.f.WriteAt(buf, int64(start*slotBytes)); err != nil {
		x.b.fail(err)
	}
}
