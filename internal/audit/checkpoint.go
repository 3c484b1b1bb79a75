package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Checkpoint is the log's head at one moment: the sequence number and hash
// of its last entry, signed when the log is. Kept outside the log (a file
// beside it, anchor files, the ledger, every report), it lets Verify see
// that a log was cut short, which a hash chain alone cannot show.
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	Time time.Time `json:"time"`
	Sig  string    `json:"sig,omitempty"` // Ed25519 over checkpointMessage
}

// Found is a checkpoint and where it was read from.
type Found struct {
	Checkpoint
	From string
}

// String is the checkpoint's one-line JSON form, as stored everywhere.
func (c Checkpoint) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// ParseCheckpoint reads the form String writes.
func ParseCheckpoint(s string) (Checkpoint, error) {
	var c Checkpoint
	if err := json.Unmarshal([]byte(strings.TrimSpace(s)), &c); err != nil || c.Seq < 1 || len(c.Hash) != 64 {
		return Checkpoint{}, fmt.Errorf("audit: not a checkpoint: %.80q", s)
	}
	return c, nil
}

func checkpointMessage(c Checkpoint) []byte {
	return fmt.Appendf(nil, "ferry-audit-checkpoint:%d:%s:%s", c.Seq, c.Hash, c.Time.UTC().Format(time.RFC3339Nano))
}

func signCheckpoint(key ed25519.PrivateKey, c Checkpoint) Checkpoint {
	c.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(key, checkpointMessage(c)))
	return c
}

// signedBy says whether c carries a valid signature by pub.
func (c Checkpoint) signedBy(pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(c.Sig)
	return err == nil && c.Sig != "" && ed25519.Verify(pub, checkpointMessage(c), sig)
}

// Checkpoint returns the checkpoint of the log's current head (zero Seq
// for an empty log).
func (l *FileLog) Checkpoint() Checkpoint {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.checkpoint()
}

func (l *FileLog) checkpoint() Checkpoint {
	c := Checkpoint{Seq: l.last.Seq, Hash: l.last.Hash, Time: l.last.Time}
	if l.key != nil && c.Seq > 0 {
		c = signCheckpoint(l.key, c)
	}
	return c
}

// CheckpointFile is where FileLog keeps its own checkpoint: beside the log.
func CheckpointFile(logPath string) string { return logPath + ".checkpoint" }

// AnchorTo makes every later Append also write its checkpoint to each
// path (a file on another disk or machine the runner cannot rewrite).
func (l *FileLog) AnchorTo(paths ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.anchors = append(l.anchors, paths...)
}

// writeCheckpoints writes the head's checkpoint beside the log and to
// every anchor, each through a temporary file and a rename.
func (l *FileLog) writeCheckpoints() error {
	c := l.checkpoint()
	for _, p := range append([]string{CheckpointFile(l.path)}, l.anchors...) {
		if err := WriteCheckpoint(p, c); err != nil {
			return err
		}
	}
	return nil
}

// WriteCheckpoint replaces the file at path with c.
func WriteCheckpoint(path string, c Checkpoint) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".checkpoint-*")
	if err != nil {
		return fmt.Errorf("audit: write checkpoint %s: %w", path, err)
	}
	_, err = io.WriteString(tmp, c.String()+"\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("audit: write checkpoint %s: %w", path, err)
	}
	return nil
}

// ReadCheckpoint reads a checkpoint file; a missing file is an error
// wrapping os.ErrNotExist.
func ReadCheckpoint(path string) (Found, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Found{}, err
	}
	c, err := ParseCheckpoint(string(b))
	if err != nil {
		return Found{}, fmt.Errorf("%s: %w", path, err)
	}
	return Found{Checkpoint: c, From: path}, nil
}

// VerifyWith checks the log read from r like VerifySigned (signatures
// only when pub is set) and then against every checkpoint: a log whose
// last entry is older than a checkpoint was truncated; an entry whose hash
// differs from the checkpoint at its seq was rewritten. With pub, a
// checkpoint that is not signed by pub is ignored (anyone could have
// written it); without pub every checkpoint counts.
func VerifyWith(ctx context.Context, r io.Reader, pub ed25519.PublicKey, cps []Found) error {
	want := map[int64][]Found{}
	for _, c := range cps {
		if pub == nil || c.signedBy(pub) {
			want[c.Seq] = append(want[c.Seq], c)
		}
	}
	var last Event
	err := verifyEach(ctx, r, pub, func(e Event, line int) error {
		last = e
		for _, c := range want[e.Seq] {
			if c.Hash != e.Hash {
				return &ChainError{Seq: e.Seq, Line: line, Reason: fmt.Sprintf("entry differs from the checkpoint in %s (history rewritten)", c.From)}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return checkTail(last, want)
}

func checkTail(last Event, want map[int64][]Found) error {
	var newest *Found
	for seq, list := range want {
		if seq > last.Seq && (newest == nil || seq > newest.Seq) {
			newest = &list[0]
		}
	}
	if newest == nil {
		return nil
	}
	return &ChainError{Seq: last.Seq + 1, Reason: fmt.Sprintf("truncated after seq %d: the checkpoint in %s (%s) names seq %d",
		last.Seq, newest.From, newest.Time.UTC().Format(time.RFC3339), newest.Seq)}
}

// ErrNoCheckpoint says no checkpoint could be found to check the tail.
var ErrNoCheckpoint = errors.New("audit: no checkpoint found: a cut-off tail cannot be detected")
