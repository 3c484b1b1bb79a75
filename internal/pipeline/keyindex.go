package pipeline

import (
	"encoding/binary"
	"fmt"
	"os"
)

// DefaultIndexBudget is the memory the key indexes of one Pipeline may
// use before they spill to disk (Options.IndexBudget).
const DefaultIndexBudget = 128 << 20

// keyIndex is an open-addressing hash table (linear probing) from a key's
// 64-bit hash to a 64-bit value (a line number, another hash). Its slots
// are two words, key then value; key 0 marks an empty slot, so a hash of
// 0 is stored as 1 (the indexes already treat equal hashes as equal keys).
// The slots live off the Go heap, so the garbage collector neither scans
// them nor lets the heap grow by their size; once the pipeline's budget is
// spent, a table that must grow moves to a file of the same layout in the
// spill directory and is read and written with pread/pwrite, behind a
// filter and a set of pending entries kept in memory (keyindex_pending.go).
// Lookups give the same answers either way. I/O errors are kept in the
// budget (the first one) and stop Stream before the next outcome.
type keyIndex struct {
	b     *indexBudget
	slots []uint64 // in memory
	mem   memBlock
	f     *os.File // on disk; nil while in memory
	size  uint64   // slots, a power of two (0 until the first insert)
	n     uint64
	buf   [probeChunk * slotBytes]byte
	// on disk only
	filter []uint64
	fmem   memBlock
	pend   map[uint64]uint64
}

const (
	slotBytes   = 16
	probeChunk  = 16 // slots read per pread on disk
	initialSize = 256
)

// indexBudget is shared by every key index of a Pipeline.
type indexBudget struct {
	limit   int64
	used    int64 // bytes of slots in memory
	dir     string
	spilled int // tables moved to disk
	err     error
}

func (b *indexBudget) fail(err error) {
	if b.err == nil {
		b.err = fmt.Errorf("key index: %w", err)
	}
}

func newKeyIndex(b *indexBudget) *keyIndex { return &keyIndex{b: b} }

func slotKey(k uint64) uint64 {
	if k == 0 {
		return 1
	}
	return k
}

// get returns the value stored for k.
func (x *keyIndex) get(k uint64) (uint64, bool) {
	if x.size == 0 {
		return 0, false
	}
	return x.lookup(slotKey(k))
}

// lookup returns the value stored for a slot key.
func (x *keyIndex) lookup(k uint64) (uint64, bool) {
	if x.f != nil {
		return x.lookupSpilled(k)
	}
	_, v, ok := x.probe(k)
	return v, ok
}

// has reports whether k is in the index.
func (x *keyIndex) has(k uint64) bool {
	_, ok := x.get(k)
	return ok
}

// firstOrAdd returns the value stored for k and true, or stores v for k
// and returns false.
func (x *keyIndex) firstOrAdd(k, v uint64) (uint64, bool) {
	k = slotKey(k)
	if x.size > 0 {
		if old, ok := x.lookup(k); ok {
			return old, true
		}
	}
	x.insert(k, v)
	return 0, false
}

// put stores v for k, replacing any value.
func (x *keyIndex) put(k, v uint64) {
	k = slotKey(k)
	switch {
	case x.size == 0:
	case x.f != nil:
		if _, ok := x.lookupSpilled(k); ok {
			x.pend[k] = v // written over its slot by flush
			return
		}
	default:
		if i, _, ok := x.probe(k); ok {
			x.store(i, k, v)
			return
		}
	}
	x.insert(k, v)
}

// insert adds k, known to be absent.
func (x *keyIndex) insert(k, v uint64) {
	if (x.n+1)*4 > x.size*3 {
		x.grow()
	}
	x.n++
	if x.f != nil {
		x.addPending(k, v)
		return
	}
	i, _, _ := x.probe(k)
	x.store(i, k, v)
}

// probe returns k's slot and value, or the empty slot where k belongs.
func (x *keyIndex) probe(k uint64) (uint64, uint64, bool) {
	if x.f != nil {
		return x.probeFile(k)
	}
	mask := x.size - 1
	for i := k & mask; ; i = (i + 1) & mask {
		switch x.slots[2*i] {
		case k:
			return i, x.slots[2*i+1], true
		case 0:
			return i, 0, false
		}
	}
}

func (x *keyIndex) probeFile(k uint64) (uint64, uint64, bool) {
	i := k & (x.size - 1)
	for {
		n := min(probeChunk, x.size-i)
		buf := x.buf[:n*slotBytes]
		if _, err := x.f.ReadAt(buf, int64(i*slotBytes)); err != nil {
			x.b.fail(err)
			return i, 0, false
		}
		for j := uint64(0); j < n; j++ {
			switch binary.LittleEndian.Uint64(buf[j*slotBytes:]) {
			case k:
				return i + j, binary.LittleEndian.Uint64(buf[j*slotBytes+8:]), true
			case 0:
				return i + j, 0, false
			}
		}
		i = (i + n) & (x.size - 1)
	}
}

func (x *keyIndex) store(i, k, v uint64) {
	if x.f == nil {
		x.slots[2*i], x.slots[2*i+1] = k, v
		return
	}
	var b [slotBytes]byte
	binary.LittleEndian.PutUint64(b[:], k)
	binary.LittleEndian.PutUint64(b[8:], v)
	if _, err := x.f.WriteAt(b[:], int64(i*slotBytes)); err != nil {
		x.b.fail(err)
	}
}

// grow doubles the table, in memory while the budget allows, else on disk.
func (x *keyIndex) grow() {
	size := max(initialSize, 2*x.size)
	bytes := int64(size * slotBytes)
	next := &keyIndex{b: x.b, size: size}
	if x.f == nil && x.b.used+bytes <= x.b.limit {
		next.mem = allocBlock(int(bytes))
		next.slots = next.mem.words()
		x.b.used += bytes
	} else if err := next.create(); err != nil {
		x.b.fail(err)
		return
	}
	if next.f != nil {
		x.flush()
		next.initSpill()
		x.rebuild(next)
	} else {
		x.each(func(k, v uint64) {
			i, _, _ := next.probe(k)
			next.store(i, k, v)
		})
	}
	next.n = x.n
	x.release()
	*x = keyIndex{b: x.b, slots: next.slots, mem: next.mem, f: next.f, size: next.size, n: next.n,
		filter: next.filter, fmem: next.fmem, pend: next.pend}
}

func (x *keyIndex) create() error {
	f, err := os.CreateTemp(x.b.dir, "ferry-keys-*")
	if err != nil {
		return err
	}
	if err := f.Truncate(int64(x.size * slotBytes)); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	x.f = f
	x.b.spilled++
	return nil
}

// each calls fn for every entry, in slot order.
func (x *keyIndex) each(fn func(k, v uint64)) {
	if x.f == nil {
		for i := uint64(0); i < x.size; i++ {
			if k := x.slots[2*i]; k != 0 {
				fn(k, x.slots[2*i+1])
			}
		}
		return
	}
	buf := make([]byte, 1<<16)
	for off := int64(0); off < int64(x.size*slotBytes); off += int64(len(buf)) {
		n, err := x.f.ReadAt(buf, off)
		if n == 0 && err != nil {
			x.b.fail(err)
			return
		}
		for j := 0; j+slotBytes <= n; j += slotBytes {
			if k := binary.LittleEndian.Uint64(buf[j:]); k != 0 {
				fn(k, binary.LittleEndian.Uint64(buf[j+8:]))
			}
		}
	}
}

// release frees the table's memory or removes its file.
func (x *keyIndex) release() {
	if x == nil {
		return
	}
	if x.f != nil {
		name := x.f.Name()
		x.f.Close()
		if err := os.Remove(name); err != nil {
			x.b.fail(err)
		}
		x.fmem.free()
		x.filter, x.pend = nil, nil
	} else if x.slots != nil {
		x.b.used -= int64(x.size * slotBytes)
		x.mem.free()
	}
	x.slots, x.f, x.size, x.n = nil, nil, 0, 0
}
