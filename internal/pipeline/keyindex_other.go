//go:build !unix

package pipeline

// memBlock is a heap allocation where anonymous mappings are not used.
type memBlock struct{ w []uint64 }

func allocBlock(n int) memBlock { return memBlock{w: make([]uint64, n/8)} }

func (m memBlock) words() []uint64 { return m.w }

func (m memBlock) free() {}
