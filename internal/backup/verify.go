package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
)

// Verify re-reads the copy of backup id in s: the manifest against its
// digest (and signature, with keys.VerifyKey), then each part once, its
// size and ciphertext digest, its decryption and plaintext digest, and for
// the filestore every entry's name. The error is a *CorruptError naming
// the store and the first wrong file, or a read error.
func Verify(ctx context.Context, s dest.Store, id string, keys Keys) (*Manifest, error) {
	m, err := ReadManifest(ctx, s, id, keys.VerifyKey)
	if err != nil {
		return nil, err
	}
	ids, err := keys.identities()
	if err != nil {
		return nil, err
	}
	for _, p := range m.Parts {
		if err := verifyPart(ctx, s, id, p, ids); err != nil {
			return m, err
		}
	}
	return m, nil
}

func verifyPart(ctx context.Context, s dest.Store, id string, p Part, ids []age.Identity) error {
	corrupt := func(format string, a ...any) error {
		return &CorruptError{Store: s.String(), ID: id, File: p.Name, Reason: fmt.Sprintf(format, a...)}
	}
	r, err := s.Open(ctx, id+"/"+p.Name)
	if errors.Is(err, dest.ErrNotExist) {
		return corrupt("missing")
	}
	if err != nil {
		return err
	}
	defer r.Close()
	cipher := sha256.New()
	counter := &countWriter{w: cipher}
	in := &readTracker{r: io.TeeReader(r, counter)}
	plain, decErr := decryptAndCheck(in, p, ids)
	if _, err := io.Copy(io.Discard, in); err != nil || in.err != nil {
		return fmt.Errorf("backup %s in %s: read %s: %w", id, s, p.Name, errors.Join(err, in.err))
	}
	switch {
	case counter.n != p.Bytes:
		return corrupt("%d bytes where the manifest says %d (truncated or appended to)", counter.n, p.Bytes)
	case hex.EncodeToString(cipher.Sum(nil)) != p.SHA256:
		return corrupt("SHA-256 differs from the manifest: the file was changed")
	case decErr != nil:
		return corrupt("%v", decErr)
	case plain != p.PlainSHA256:
		return corrupt("the decrypted content's SHA-256 differs from the manifest")
	}
	return nil
}

// readTracker remembers a read error of the store, so that it is not
// mistaken for a decryption failure.
type readTracker struct {
	r   io.Reader
	err error
}

func (t *readTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// decryptAndCheck decrypts r and returns the plaintext digest; a
// filestore's entries are checked on the way.
func decryptAndCheck(r io.Reader, p Part, ids []age.Identity) (string, error) {
	dec, err := age.Decrypt(r, ids...)
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return "", errors.New("cannot decrypt with the given key or passphrase (wrong key)")
	}
	if err != nil {
		return "", fmt.Errorf("cannot decrypt: %w", err)
	}
	plain := sha256.New()
	if err := consume(io.TeeReader(dec, plain), p); err != nil {
		return "", err
	}
	return hex.EncodeToString(plain.Sum(nil)), nil
}

func consume(r io.Reader, p Part) error {
	if p.Kind == KindFilestore {
		n, err := scanTar(r)
		if err != nil {
			return err
		}
		if n != p.Entries {
			return fmt.Errorf("%d entries where the manifest says %d", n, p.Entries)
		}
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("decryption failed: %w", err)
	}
	return nil
}
