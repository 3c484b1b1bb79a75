package backup

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
)

// FormatVersion is the manifest format this package writes.
const FormatVersion = 2

// File names of a backup besides its parts.
const (
	ManifestFile    = "manifest.json"
	ManifestSumFile = "manifest.json.sha256"
	ManifestSigFile = "manifest.json.sig"
	DumpPart        = "dump.pgc.age"
	FilestorePart   = "filestore.tar.age"
	ManagerPart     = "odoo.zip.age"
)

// Part kinds.
const (
	KindPgDump    = "pg_dump"
	KindFilestore = "filestore"
	// KindManagerZip is Odoo's database manager backup: a zip holding
	// dump.sql (plain SQL), manifest.json and filestore/.
	KindManagerZip = "odoo_zip"
)

// maxManifest bounds how much of a manifest file is read.
const maxManifest = 64 << 20

// Part is one encrypted file of a backup.
type Part struct {
	Name        string `json:"name"`
	Kind        string `json:"kind,omitempty"`    // pg_dump or filestore (format 1: pg_dump)
	Bytes       int64  `json:"bytes"`             // ciphertext size
	SHA256      string `json:"sha256"`            // of the ciphertext, as stored
	PlainSHA256 string `json:"plain_sha256"`      // of the plaintext, before encryption
	Entries     int    `json:"entries,omitempty"` // filestore: directories and files
}

// Manifest describes a backup.
type Manifest struct {
	Format        int              `json:"format"`
	ID            string           `json:"id"`
	Created       time.Time        `json:"created"`
	Database      string           `json:"database"`
	ServerVersion string           `json:"server_version"`
	Tool          string           `json:"pg_dump"`
	Encryption    string           `json:"encryption"` // age-x25519 or age-scrypt
	SignedBy      string           `json:"signed_by,omitempty"`
	Parts         []Part           `json:"parts"`
	Tables        map[string]int64 `json:"tables"` // schema.table → rows at backup time
}

// Part returns the part of the given kind, if the backup has one.
func (m *Manifest) Part(kind string) (Part, bool) {
	for _, p := range m.Parts {
		if p.Kind == kind || (p.Kind == "" && kind == KindPgDump) {
			return p, true
		}
	}
	return Part{}, false
}

// Bytes is the size of every part together, as stored.
func (m *Manifest) Bytes() int64 {
	var n int64
	for _, p := range m.Parts {
		n += p.Bytes
	}
	return n
}

// Rows is the number of rows of every table together.
func (m *Manifest) Rows() int64 {
	var n int64
	for _, c := range m.Tables {
		n += c
	}
	return n
}

// manifestFiles encodes m and returns the manifest, its sum and, with a
// key, its signature.
func manifestFiles(m *Manifest, key ed25519.PrivateKey) (map[string][]byte, error) {
	if key != nil {
		m.SignedBy = hex.EncodeToString(key.Public().(ed25519.PublicKey))
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	b = append(b, '\n')
	sum := sha256.Sum256(b)
	files := map[string][]byte{
		ManifestFile:    b,
		ManifestSumFile: []byte(hex.EncodeToString(sum[:]) + "  " + ManifestFile + "\n"),
	}
	if key != nil {
		files[ManifestSigFile] = []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(key, b)) + "\n")
	}
	return files, nil
}

// writeManifest writes the manifest files into s, the manifest itself
// last, so that a backup without one is incomplete.
func writeManifest(ctx context.Context, s dest.Store, id string, files map[string][]byte) error {
	for _, name := range []string{ManifestSumFile, ManifestSigFile, ManifestFile} {
		b, ok := files[name]
		if !ok {
			continue
		}
		w, err := s.Create(ctx, id+"/"+name)
		if err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
		if _, err := w.Write(b); err != nil {
			w.Abort()
			return fmt.Errorf("%s: %w", s, err)
		}
		if err := w.Commit(); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// ReadManifest reads the manifest of backup id in s, checks it against its
// SHA-256 file and, when pub is set, against its signature (then required),
// and refuses part names that would leave the backup.
func ReadManifest(ctx context.Context, s dest.Store, id string, pub ed25519.PublicKey) (*Manifest, error) {
	corrupt := func(format string, a ...any) error {
		return &CorruptError{Store: s.String(), ID: id, File: ManifestFile, Reason: fmt.Sprintf(format, a...)}
	}
	b, err := readSmall(ctx, s, id+"/"+ManifestFile)
	if err != nil {
		return nil, fmt.Errorf("backup %s in %s: %w", id, s, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, corrupt("not valid JSON: %v", err)
	}
	if m.Format != 1 && m.Format != FormatVersion {
		return nil, corrupt("format %d, this Ferry reads 1 and %d", m.Format, FormatVersion)
	}
	if m.Format >= 2 {
		if err := checkManifestSum(ctx, s, id, b); err != nil {
			return nil, err
		}
	}
	if pub != nil {
		if err := checkManifestSig(ctx, s, id, b, pub); err != nil {
			return nil, err
		}
	}
	if m.ID != id {
		return nil, corrupt("names backup %q: refused", m.ID)
	}
	for _, p := range m.Parts {
		if err := dest.CheckID(p.Name); err != nil || strings.HasPrefix(p.Name, "manifest.json") {
			return nil, corrupt("part name %q would leave the backup directory: refused", p.Name)
		}
	}
	return &m, nil
}

func checkManifestSum(ctx context.Context, s dest.Store, id string, b []byte) error {
	sumFile, err := readSmall(ctx, s, id+"/"+ManifestSumFile)
	if err != nil {
		return &CorruptError{Store: s.String(), ID: id, File: ManifestSumFile, Reason: err.Error()}
	}
	sum := sha256.Sum256(b)
	want, _, _ := strings.Cut(string(sumFile), " ")
	if want != hex.EncodeToString(sum[:]) {
		return &CorruptError{Store: s.String(), ID: id, File: ManifestFile, Reason: "SHA-256 differs from " + ManifestSumFile + ": the manifest was changed"}
	}
	return nil
}

func checkManifestSig(ctx context.Context, s dest.Store, id string, b []byte, pub ed25519.PublicKey) error {
	bad := func(reason string) error {
		return &CorruptError{Store: s.String(), ID: id, File: ManifestSigFile, Reason: reason}
	}
	raw, err := readSmall(ctx, s, id+"/"+ManifestSigFile)
	if errors.Is(err, dest.ErrNotExist) {
		return bad("missing: the backup is not signed, and a public key was given to check its signature")
	}
	if err != nil {
		return bad(err.Error())
	}
	sig, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(raw)))
	if err != nil || !ed25519.Verify(pub, b, sig) {
		return bad("the signature does not match the manifest and the given public key")
	}
	return nil
}

func readSmall(ctx context.Context, s dest.Store, name string) ([]byte, error) {
	r, err := s.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, maxManifest))
}
