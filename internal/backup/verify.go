package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"filippo.io/age"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// ReadManifest reads a backup's manifest and refuses part names that
// would leave the backup directory.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("backup %s: manifest.json is not valid: %w", dir, err)
	}
	if m.Format != FormatVersion {
		return nil, fmt.Errorf("backup %s: manifest format %d, this Ferry reads %d", dir, m.Format, FormatVersion)
	}
	for _, p := range m.Parts {
		if p.Name == "" || strings.ContainsAny(p.Name, `/\`) || p.Name == ".." || filepath.IsAbs(p.Name) {
			return nil, fmt.Errorf("backup %s: part name %q would leave the backup directory: refused", dir, p.Name)
		}
	}
	return &m, nil
}

// Verify re-reads every part: its size and ciphertext digest, then its
// plaintext digest after decryption. The error names the first wrong part.
func Verify(dir string, keys Keys) (*Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	ids, err := keys.identities()
	if err != nil {
		return nil, err
	}
	for _, p := range m.Parts {
		if err := verifyPart(dir, p, ids); err != nil {
			return m, err
		}
	}
	return m, nil
}

func verifyPart(dir string, p Part, ids []age.Identity) error {
	path := filepath.Join(dir, p.Name)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup part %s: %w", p.Name, err)
	}
	defer f.Close()
	cipher := sha256.New()
	n, err := io.Copy(cipher, f)
	switch {
	case err != nil:
		return fmt.Errorf("backup part %s: %w", p.Name, err)
	case n != p.Bytes:
		return fmt.Errorf("backup part %s: %d bytes where the manifest says %d (truncated or appended to)", p.Name, n, p.Bytes)
	case hex.EncodeToString(cipher.Sum(nil)) != p.SHA256:
		return fmt.Errorf("backup part %s: SHA-256 differs from the manifest: the file was changed", p.Name)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r, err := age.Decrypt(f, ids...)
	if err != nil {
		return fmt.Errorf("backup part %s: cannot decrypt: %w", p.Name, err)
	}
	plain := sha256.New()
	if _, err := io.Copy(plain, r); err != nil {
		return fmt.Errorf("backup part %s: decryption failed: %w", p.Name, err)
	}
	if hex.EncodeToString(plain.Sum(nil)) != p.PlainSHA256 {
		return fmt.Errorf("backup part %s: the decrypted content differs from the manifest", p.Name)
	}
	return nil
}

// Restore decrypts the dump and restores it into the (empty) database at
// dsn with pg_restore.
func Restore(ctx context.Context, dir string, keys Keys, dsn secret.String) error {
	m, err := Verify(dir, keys)
	if err != nil {
		return err
	}
	ids, _ := keys.identities()
	f, err := os.Open(filepath.Join(dir, m.Parts[0].Name))
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := age.Decrypt(f, ids...)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "pg_restore", "--no-owner", "--exit-on-error", "--dbname", dsn.Reveal())
	cmd.Stdin = r
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("backup: pg_restore failed: %s", redact(stderr.String(), dsn))
	}
	return nil
}

// RestoreTest restores into the scratch database at dsn and compares each
// table's row count with the manifest; it returns the tables that differ.
func RestoreTest(ctx context.Context, dir string, keys Keys, dsn secret.String) ([]string, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if err := Restore(ctx, dir, keys, dsn); err != nil {
		return nil, err
	}
	db, err := sql.Open("pgx", dsn.Reveal())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	got, err := tableCounts(ctx, db)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for t, n := range m.Tables {
		if got[t] != n {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows at backup, %d restored", t, n, got[t]))
		}
	}
	sort.Strings(diffs)
	return diffs, nil
}

// List returns the manifests of the backups under dir, newest first.
func List(dir string) ([]*Manifest, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []*Manifest
	for _, e := range entries {
		if e.IsDir() {
			if m, err := ReadManifest(filepath.Join(dir, e.Name())); err == nil {
				out = append(out, m)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// Prune keeps the newest keep backups under dir and removes the others.
func Prune(dir string, keep int) ([]string, error) {
	list, err := List(dir)
	if err != nil || keep <= 0 || len(list) <= keep {
		return nil, err
	}
	var gone []string
	for _, m := range list[keep:] {
		if err := os.RemoveAll(filepath.Join(dir, m.ID)); err != nil {
			return gone, err
		}
		gone = append(gone, m.ID)
	}
	return gone, nil
}
