//go:build !unix

package ledger

import "os"

// acquire opens the lock file; without flock, exclusivity is not enforced.
func acquire(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
}

func release(f *os.File) {
	if f != nil {
		_ = f.Close()
	}
}
