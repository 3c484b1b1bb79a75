package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"filippo.io/age"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
)

// chunk is the size of the buffers the plaintext is read in.
const chunk = 1 << 20

// writePart encrypts r into the file id/name of every store at once and
// commits it everywhere; on failure nothing of it is left visible.
func writePart(ctx context.Context, stores []dest.Store, id, name string, r io.Reader, rcpts []age.Recipient) (Part, error) {
	out := &fanOut{}
	for _, s := range stores {
		w, err := s.Create(ctx, id+"/"+name)
		if err != nil {
			out.abort()
			return Part{}, fmt.Errorf("%s: %w", s, err)
		}
		out.ws, out.stores = append(out.ws, w), append(out.stores, s.String())
	}
	part, err := encrypt(out, r, rcpts)
	if err != nil {
		out.abort()
		return Part{}, fmt.Errorf("backup %s: %s: %w", id, name, err)
	}
	for i, w := range out.ws {
		if err := w.Commit(); err != nil {
			return Part{}, fmt.Errorf("%s: %w", out.stores[i], err)
		}
	}
	part.Name = name
	return part, nil
}

// fanOut writes to every store's writer in turn and names the store whose
// write failed.
type fanOut struct {
	ws     []dest.Writer
	stores []string
}

func (f *fanOut) Write(p []byte) (int, error) {
	for i, w := range f.ws {
		if _, err := w.Write(p); err != nil {
			return 0, fmt.Errorf("%s: %w", f.stores[i], err)
		}
	}
	return len(p), nil
}

func (f *fanOut) abort() {
	for _, w := range f.ws {
		w.Abort()
	}
}

// encrypt writes r encrypted with age to dst, hashing both sides. Three
// stages run concurrently: hashing the plaintext, encrypting, and hashing
// and writing the ciphertext. Nothing is buffered beyond a few chunks.
func encrypt(dst io.Writer, r io.Reader, rcpts []age.Recipient) (Part, error) {
	cipher, plain := sha256.New(), sha256.New()
	counter := &countWriter{w: io.MultiWriter(cipher, dst)}
	out := newAsyncWriter(counter)
	hashed, hashDone := hashAsync(plain)
	err := encryptInto(out, r, rcpts, hashed)
	close(hashed)
	if werr := out.Close(); err == nil {
		err = werr
	}
	<-hashDone
	if err != nil {
		return Part{}, err
	}
	return Part{Bytes: counter.n, SHA256: hex.EncodeToString(cipher.Sum(nil)), PlainSHA256: hex.EncodeToString(plain.Sum(nil))}, nil
}

// asyncWriter gathers writes into chunk-sized buffers and hands them to
// a goroutine that writes them to w, so the encryption never waits for a
// 64 KiB write to be hashed and stored. A write error is returned by the
// next Write or by Close.
type asyncWriter struct {
	buf  []byte
	ch   chan []byte
	done chan error
	err  error
}

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{buf: make([]byte, 0, chunk), ch: make(chan []byte, 4), done: make(chan error, 1)}
	go func() {
		var err error
		for b := range a.ch {
			if err == nil {
				_, err = w.Write(b)
			}
		}
		a.done <- err
	}()
	return a
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	select {
	case err := <-a.done: // the writer stopped early
		a.err = err
		return 0, err
	default:
	}
	n := len(p)
	for len(p) > 0 {
		k := copy(a.buf[len(a.buf):cap(a.buf)], p)
		a.buf, p = a.buf[:len(a.buf)+k], p[k:]
		if len(a.buf) == cap(a.buf) {
			a.ch <- a.buf
			a.buf = make([]byte, 0, chunk)
		}
	}
	return n, nil
}

// Close sends what is left and waits for the writer.
func (a *asyncWriter) Close() error {
	if len(a.buf) > 0 {
		a.ch <- a.buf
	}
	close(a.ch)
	if a.err != nil {
		return a.err
	}
	return <-a.done
}

func encryptInto(pw io.Writer, r io.Reader, rcpts []age.Recipient, hashed chan<- []byte) error {
	w, err := age.Encrypt(pw, rcpts...)
	if err != nil {
		return err
	}
	if err := copyChunks(w, r, hashed); err != nil {
		return err
	}
	return w.Close()
}

// hashAsync feeds the chunks sent on the returned channel to h on its own
// goroutine; the second channel is closed when it is done.
func hashAsync(h hash.Hash) (chan []byte, chan struct{}) {
	chunks, done := make(chan []byte, 4), make(chan struct{})
	go func() {
		defer close(done)
		for c := range chunks {
			h.Write(c)
		}
	}()
	return chunks, done
}

// copyChunks copies r to w in fresh chunks, handing each to the plaintext
// hasher as well (a chunk is never reused, so both may read it at once).
func copyChunks(w io.Writer, r io.Reader, hashed chan<- []byte) error {
	for {
		buf := make([]byte, chunk)
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			hashed <- buf[:n]
			if _, err := w.Write(buf[:n]); err != nil {
				return err
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
