package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// FileLog is a Log in a JSON-lines file, opened for append only.
type FileLog struct {
	mu   sync.Mutex
	path string
	f    *os.File
	last Event
	now  func() time.Time
	key  ed25519.PrivateKey // signs each entry's hash when set
	// anchors receive the checkpoint after every Append, besides the
	// file next to the log.
	anchors []string
}

var _ Log = (*FileLog)(nil)

// Open opens (or creates, mode 0600) the log at path and reads its tail so
// the next Append continues the chain. It does not verify the log.
func Open(path string) (*FileLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: open log: %w", err)
	}
	l := &FileLog{path: path, f: f, now: time.Now}
	err = scan(f, func(e Event, _ int) error { l.last = e; return nil })
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return l, nil
}

// Path returns the log file's path.
func (l *FileLog) Path() string { return l.path }

// Append stores e at the end of the chain and syncs the file.
func (l *FileLog) Append(_ context.Context, e Event) (Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.Seq = l.last.Seq + 1
	e.PrevHash = GenesisHash
	if l.last.Seq > 0 {
		e.PrevHash = l.last.Hash
	}
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	if err := canonicalDetails(&e); err != nil {
		return Event{}, err
	}
	h, err := HashOf(e)
	if err != nil {
		return Event{}, err
	}
	e.Hash = h
	if l.key != nil {
		e.Sig = sign(l.key, h)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return Event{}, fmt.Errorf("audit: encode entry %d: %w", e.Seq, err)
	}
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return Event{}, fmt.Errorf("audit: append entry %d: %w", e.Seq, err)
	}
	if err := l.f.Sync(); err != nil {
		return Event{}, fmt.Errorf("audit: sync log: %w", err)
	}
	l.last = e
	return e, l.writeCheckpoints()
}

// canonicalDetails replaces Details by its JSON round trip, so the hash
// is computed over what a reader decodes (struct values become maps with
// sorted keys, numbers become float64).
func canonicalDetails(e *Event) error {
	if e.Details == nil {
		return nil
	}
	b, err := json.Marshal(e.Details)
	if err != nil {
		return fmt.Errorf("audit: encode entry %d: %w", e.Seq, err)
	}
	e.Details = nil
	return json.Unmarshal(b, &e.Details)
}

// Head returns the last entry (zero Event for an empty log).
func (l *FileLog) Head() Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// Verify re-reads the file and checks every hash and link.
func (l *FileLog) Verify(ctx context.Context) error {
	f, err := os.Open(l.path)
	if err != nil {
		return fmt.Errorf("audit: open log: %w", err)
	}
	defer f.Close()
	return VerifyReader(ctx, f)
}

// Close closes the file.
func (l *FileLog) Close() error { return l.f.Close() }

// VerifyReader checks a log read from r.
func VerifyReader(ctx context.Context, r io.Reader) error { return verify(ctx, r, nil) }

func checkLink(prev, e Event, line int) error {
	want := prev.Seq + 1
	wantPrev := GenesisHash
	if prev.Seq > 0 {
		wantPrev = prev.Hash
	}
	switch h, err := HashOf(e); {
	case err != nil:
		return err
	case e.Seq != want:
		return &ChainError{Seq: want, Line: line, Reason: fmt.Sprintf("found seq %d (entry missing, inserted or reordered)", e.Seq)}
	case e.PrevHash != wantPrev:
		return &ChainError{Seq: want, Line: line, Reason: "prev_hash does not match the previous entry"}
	case h != e.Hash:
		return &ChainError{Seq: want, Line: line, Reason: "entry was edited (hash mismatch)"}
	}
	return nil
}

// scan decodes one event per line; a line that does not decode is a
// ChainError at that line.
func scan(r io.Reader, fn func(Event, int) error) error {
	br := bufio.NewReader(r)
	line := 0
	for {
		b, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			line++
			var e Event
			if jerr := json.Unmarshal(b, &e); jerr != nil {
				return &ChainError{Line: line, Reason: "entry is not valid JSON: " + jerr.Error()}
			}
			if ferr := fn(e, line); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("audit: read log: %w", err)
		}
	}
}
