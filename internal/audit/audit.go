package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Event is one audit entry. Append fills Seq, Time (if zero), PrevHash and
// Hash; the caller fills the rest.
type Event struct {
	Seq      int64             `json:"seq"`
	Time     time.Time         `json:"time"`
	Actor    string            `json:"actor"`
	Action   string            `json:"action"`
	RunID    string            `json:"run_id,omitempty"`
	Plan     string            `json:"plan,omitempty"`
	Target   string            `json:"target,omitempty"`
	Digests  map[string]string `json:"digests,omitempty"`
	Result   string            `json:"result,omitempty"`
	Details  map[string]any    `json:"details,omitempty"`
	PrevHash string            `json:"prev_hash"`
	Hash     string            `json:"hash"`
	Sig      string            `json:"sig,omitempty"`
}

// Actions every command uses. Commands may add their own names.
const (
	ActionValidate = "validate"
	ActionRun      = "run"
	ActionVerify   = "verify"
	ActionRollback = "rollback"
	ActionBackup   = "backup"
	ActionPing     = "ping"
)

// Log is the append-only audit log. Append is called by commands on the
// main goroutine (and by the server's handlers), once per action; it returns
// the stored entry with Seq and Hash set. Verify re-reads the whole log and
// returns a *ChainError naming the first broken entry, or another error when
// the log cannot be read. Implementations must be safe for concurrent use.
type Log interface {
	Append(ctx context.Context, e Event) (Event, error)
	Verify(ctx context.Context) error
	Close() error
}

// ChainError says where the chain breaks.
type ChainError struct {
	Seq    int64 // sequence number of the first bad entry (as expected)
	Line   int   // 1-based line in the log file, 0 if not file-based
	Reason string
}

func (e *ChainError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("audit: chain broken at seq %d (line %d): %s", e.Seq, e.Line, e.Reason)
	}
	return fmt.Sprintf("audit: chain broken at seq %d: %s", e.Seq, e.Reason)
}

// GenesisHash is PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// HashOf computes an entry's hash: SHA-256 over its canonical JSON with Hash
// and Sig empty. encoding/json sorts map keys, so the form is stable.
func HashOf(e Event) (string, error) {
	e.Hash, e.Sig = "", ""
	e.Time = e.Time.UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("audit: encode entry %d: %w", e.Seq, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
