package backup

import (
	"errors"
	"fmt"
)

// ErrCorrupt matches every CorruptError.
var ErrCorrupt = errors.New("backup: corrupt")

// CorruptError says which file of which copy of a backup is wrong and why.
// Its exit code is 5 (integrity failure).
type CorruptError struct {
	Store  string // where the copy is
	ID     string // the backup
	File   string // the part or manifest file
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("backup %s in %s: %s: %s", e.ID, e.Store, e.File, e.Reason)
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// ExitCode is the integrity-failure exit code.
func (e *CorruptError) ExitCode() int { return 5 }
