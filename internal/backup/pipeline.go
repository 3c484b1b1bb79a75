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
	pr, pw := io.Pipe()
	written := make(chan error, 1)
	go func() {
		_, err := io.CopyBuffer(counter, pr, make([]byte, chunk))
		pr.CloseWithError(err)
		written <- err
	}()
	hashed, hashDone := hashAsync(plain)
	err := encryptInto(pw, r, rcpts, hashed)
	close(hashed)
	pw.CloseWithError(err)
	if werr := <-written; err == nil {
		err = werr
	}
	<-hashDone
	if err != nil {
		return Part{}, err
	}
	return Part{Bytes: counter.n, SHA256: hex.EncodeToString(cipher.Sum(nil)), PlainSHA256: hex.EncodeToString(plain.Sum(nil))}, nil
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
