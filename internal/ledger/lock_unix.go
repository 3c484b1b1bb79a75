//go:build unix

package ledger

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// acquire takes an exclusive, non-blocking lock on path; the OS releases
// it when the process dies, so a killed run never leaves a stale lock.
func acquire(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("ledger: lock %s: %w", path, err)
	}
	return f, nil
}

func release(f *os.File) {
	if f != nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}
}
