package backup

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"time"

	"filippo.io/age"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// Keys say how parts are encrypted and decrypted, X25519 recipients (and
// identities to decrypt) or a passphrase, and optionally how the manifest
// is signed and checked.
type Keys struct {
	Recipients []age.Recipient
	Identities []age.Identity
	Passphrase secret.String
	SignKey    ed25519.PrivateKey // signs manifest.json when set
	VerifyKey  ed25519.PublicKey  // when set, a valid signature by it is required
}

func (k Keys) recipients() ([]age.Recipient, string, error) {
	if len(k.Recipients) > 0 {
		return k.Recipients, "age-x25519", nil
	}
	if k.Passphrase.IsZero() {
		return nil, "", errors.New("backup: no recipient and no passphrase: backups are always encrypted")
	}
	r, err := age.NewScryptRecipient(k.Passphrase.Reveal())
	if err != nil {
		return nil, "", err
	}
	if scryptWorkFactor > 0 {
		r.SetWorkFactor(scryptWorkFactor)
	}
	return []age.Recipient{r}, "age-scrypt", nil
}

// scryptWorkFactor, when set, replaces age's default scrypt work factor
// (2^18). Only tests lower it, to keep passphrase tests fast.
var scryptWorkFactor int

func (k Keys) identities() ([]age.Identity, error) {
	if len(k.Identities) > 0 {
		return k.Identities, nil
	}
	if k.Passphrase.IsZero() {
		return nil, errors.New("backup: no identity and no passphrase to decrypt with")
	}
	id, err := age.NewScryptIdentity(k.Passphrase.Reveal())
	return []age.Identity{id}, err
}

// CanDecrypt says whether k holds an identity or a passphrase.
func (k Keys) CanDecrypt() bool { return len(k.Identities) > 0 || !k.Passphrase.IsZero() }

// Source is what a backup holds: the Odoo database and, optionally, its
// filestore directory.
type Source struct {
	DSN       secret.String // PostgreSQL DSN of the Odoo database
	Filestore string        // local filestore directory (filestore/<db>); empty for none
	// FilestoreFS, when set, is the filestore read elsewhere (a directory
	// on an SFTP server, see RemoteDir); Filestore then only names it.
	FilestoreFS fs.FS
	// Manager, instead of DSN and Filestore, backs up through Odoo's
	// database manager (opt-in; see ManagerSource).
	Manager *ManagerSource
}

// NewID is the id of a backup taken at now.
func NewID(now time.Time) string { return "b" + now.UTC().Format("20060102T150405Z") }

// Create backs src up into every store at once and returns the manifest.
// If anything fails, the backup is removed from every store again.
func Create(ctx context.Context, src Source, stores []dest.Store, keys Keys, now time.Time) (*Manifest, error) {
	if len(stores) == 0 {
		return nil, errors.New("backup: no store to write to")
	}
	rcpts, enc, err := keys.recipients()
	if err != nil {
		return nil, err
	}
	m := &Manifest{Format: FormatVersion, ID: NewID(now), Created: now.UTC(), Encryption: enc}
	if err := checkFree(ctx, stores, m.ID); err != nil {
		return nil, err
	}
	if err := create(ctx, src, stores, m, rcpts, keys.SignKey); err != nil {
		for _, s := range stores {
			_ = s.Remove(context.WithoutCancel(ctx), m.ID)
		}
		return nil, err
	}
	return m, nil
}

func checkFree(ctx context.Context, stores []dest.Store, id string) error {
	for _, s := range stores {
		ids, err := s.List(ctx)
		if err != nil {
			return err
		}
		if slices.Contains(ids, id) {
			return fmt.Errorf("backup %s already exists in %s: wait a second and retry", id, s)
		}
	}
	return nil
}

func create(ctx context.Context, src Source, stores []dest.Store, m *Manifest, rcpts []age.Recipient, sign ed25519.PrivateKey) error {
	if src.Manager != nil {
		if err := managerPart(ctx, *src.Manager, stores, m, rcpts); err != nil {
			return err
		}
		return writeManifests(ctx, stores, m, sign)
	}
	snap, err := openSnapshot(ctx, src.DSN)
	if err != nil {
		return err
	}
	defer snap.Close()
	if err := snap.describe(ctx, m); err != nil {
		return err
	}
	if m.Tool, err = checkPgDump(ctx, m.ServerVersion); err != nil {
		return err
	}
	if err := dumpPart(ctx, src.DSN, snap.id, stores, m, rcpts); err != nil {
		return err
	}
	snap.Close()
	if src.Filestore != "" {
		if err := filestorePart(ctx, src, stores, m, rcpts); err != nil {
			return err
		}
	}
	return writeManifests(ctx, stores, m, sign)
}

func writeManifests(ctx context.Context, stores []dest.Store, m *Manifest, sign ed25519.PrivateKey) error {
	files, err := manifestFiles(m, sign)
	if err != nil {
		return err
	}
	for _, s := range stores {
		if err := writeManifest(ctx, s, m.ID, files); err != nil {
			return err
		}
	}
	return nil
}

// dumpPart streams pg_dump of the snapshot into every store.
func dumpPart(ctx context.Context, dsn secret.String, snapshotID string, stores []dest.Store, m *Manifest, rcpts []age.Recipient) error {
	out, wait, stop, err := pgDump(ctx, dsn, snapshotID)
	if err != nil {
		return err
	}
	part, err := writePart(ctx, stores, m.ID, DumpPart, out, rcpts)
	if err != nil {
		stop() // nobody reads pg_dump's output any more
		return err
	}
	if err := wait(); err != nil {
		return err
	}
	part.Kind = KindPgDump
	m.Parts = append(m.Parts, part)
	return nil
}

// filestore is the file system the filestore is read from.
func (s Source) filestore() fs.FS {
	if s.FilestoreFS != nil {
		return s.FilestoreFS
	}
	return os.DirFS(s.Filestore)
}

// filestorePart streams a tar of the source's filestore into every store.
func filestorePart(ctx context.Context, src Source, stores []dest.Store, m *Manifest, rcpts []age.Recipient) error {
	pr, pw := io.Pipe()
	entries := make(chan int, 1)
	go func() {
		n, err := writeTar(ctx, src.filestore(), src.Filestore, pw)
		pw.CloseWithError(err)
		entries <- n
	}()
	part, err := writePart(ctx, stores, m.ID, FilestorePart, pr, rcpts)
	pr.CloseWithError(errors.New("backup: stopped")) // ends writeTar if writePart gave up early
	n := <-entries
	if err != nil {
		return err
	}
	part.Kind, part.Entries = KindFilestore, n
	m.Parts = append(m.Parts, part)
	return nil
}
