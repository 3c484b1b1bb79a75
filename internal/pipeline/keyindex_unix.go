//go:build unix

package pipeline

import (
	"syscall"
	"unsafe"
)

// memBlock is an anonymous mapping: off the Go heap, returned to the
// system when freed. Small blocks stay on the heap.
type memBlock struct {
	b      []byte
	mapped bool
}

func allocBlock(n int) memBlock {
	if n >= 1<<20 {
		if b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE); err == nil {
			return memBlock{b: b, mapped: true}
		}
	}
	return memBlock{b: make([]byte, n)}
}

func (m memBlock) words() []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(m.b))), len(m.b)/8)
}

func (m memBlock) free() {
	if m.mapped {
		_ = syscall.Munmap(m.b)
	}
}
