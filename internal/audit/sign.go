package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// SignWith makes every later Append sign the entry's hash with key, so
// that a rewritten chain (edited entries with recomputed hashes) cannot
// pass VerifySigned without the key.
func (l *FileLog) SignWith(key ed25519.PrivateKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.key = key
}

func sign(key ed25519.PrivateKey, hash string) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte(hash)))
}

// VerifySigned checks the chain like VerifyReader and every entry's
// signature with pub; an unsigned or badly signed entry is a ChainError
// at its line.
func VerifySigned(ctx context.Context, r io.Reader, pub ed25519.PublicKey) error {
	return verify(ctx, r, pub)
}

// verify checks hashes and links, and signatures when pub is set.
func verify(ctx context.Context, r io.Reader, pub ed25519.PublicKey) error {
	return verifyEach(ctx, r, pub, func(Event, int) error { return nil })
}

// verifyEach is verify calling fn after each good entry.
func verifyEach(ctx context.Context, r io.Reader, pub ed25519.PublicKey, fn func(Event, int) error) error {
	prev := Event{}
	return scan(r, func(e Event, line int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := checkLink(prev, e, line); err != nil {
			return err
		}
		if pub != nil {
			sig, err := base64.StdEncoding.DecodeString(e.Sig)
			if e.Sig == "" || err != nil || !ed25519.Verify(pub, []byte(e.Hash), sig) {
				return &ChainError{Seq: e.Seq, Line: line, Reason: "signature missing or not made by this key"}
			}
		}
		prev = e
		return fn(e, line)
	})
}

const (
	privType = "FERRY AUDIT PRIVATE KEY"
	pubType  = "FERRY AUDIT PUBLIC KEY"
)

// GenerateKey writes a new signing key to path (mode 0600) and its public
// half to path + ".pub". It refuses to overwrite a key.
func GenerateKey(path string) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("audit: write key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: privType, Bytes: priv.Seed()}); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.WriteFile(path+".pub", pem.EncodeToMemory(&pem.Block{Type: pubType, Bytes: pub}), 0o644)
}

// LoadPrivateKey reads a signing key; a key file others may read is
// refused.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit: key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit: key %s is readable by others (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	b, err := readPEM(path, privType)
	if err != nil {
		return nil, err
	}
	if len(b) != ed25519.SeedSize {
		return nil, fmt.Errorf("audit: key %s is not an Ed25519 key", path)
	}
	return ed25519.NewKeyFromSeed(b), nil
}

// LoadPublicKey reads a public key written by GenerateKey.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := readPEM(path, pubType)
	if err != nil {
		return nil, err
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("audit: %s is not an Ed25519 public key", path)
	}
	return ed25519.PublicKey(b), nil
}

func readPEM(path, typ string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit: key: %w", err)
	}
	blk, _ := pem.Decode(raw)
	if blk == nil || blk.Type != typ {
		return nil, errors.New("audit: " + path + " is not a " + typ)
	}
	return blk.Bytes, nil
}
