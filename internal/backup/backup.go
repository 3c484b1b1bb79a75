package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// FormatVersion is the manifest format.
const FormatVersion = 1

// Part is one file of a backup.
type Part struct {
	Name        string `json:"name"`
	Bytes       int64  `json:"bytes"`        // ciphertext size
	SHA256      string `json:"sha256"`       // of the ciphertext, as stored
	PlainSHA256 string `json:"plain_sha256"` // of the plaintext, before encryption
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
	Parts         []Part           `json:"parts"`
	Tables        map[string]int64 `json:"tables"` // schema.table → rows at backup time
}

// Keys say how parts are encrypted and decrypted: X25519 recipients (and
// identities to decrypt), or a passphrase.
type Keys struct {
	Recipients []age.Recipient
	Identities []age.Identity
	Passphrase secret.String
}

func (k Keys) recipients() ([]age.Recipient, string, error) {
	if len(k.Recipients) > 0 {
		return k.Recipients, "age-x25519", nil
	}
	if k.Passphrase.IsZero() {
		return nil, "", errors.New("backup: no recipient and no passphrase: backups are always encrypted")
	}
	r, err := age.NewScryptRecipient(k.Passphrase.Reveal())
	return []age.Recipient{r}, "age-scrypt", err
}

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

// Create dumps the database at dsn into a new backup directory under dir
// and returns its manifest.
func Create(ctx context.Context, dsn secret.String, dir string, keys Keys, now time.Time) (*Manifest, error) {
	rcpts, enc, err := keys.recipients()
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("pgx", dsn.Reveal())
	if err != nil {
		return nil, errors.New("backup: the database DSN is not valid")
	}
	defer db.Close()
	m := &Manifest{Format: FormatVersion, ID: "b" + now.UTC().Format("20060102T150405Z"), Created: now.UTC(), Encryption: enc}
	if err := describe(ctx, db, m); err != nil {
		return nil, err
	}
	if m.Tool, err = checkPgDump(ctx, m.ServerVersion); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, m.ID)
	if err := os.MkdirAll(out, 0o700); err != nil {
		return nil, err
	}
	part, err := dumpPart(ctx, dsn, filepath.Join(out, "dump.pgc.age"), rcpts)
	if err != nil {
		os.RemoveAll(out)
		return nil, err
	}
	m.Parts = append(m.Parts, part)
	return m, writeManifest(out, m)
}

// describe records the server version, database name and row counts.
func describe(ctx context.Context, db *sql.DB, m *Manifest) error {
	if err := db.QueryRowContext(ctx, "SELECT current_database(), current_setting('server_version_num')").Scan(&m.Database, &m.ServerVersion); err != nil {
		return fmt.Errorf("backup: cannot read the database: %w", err)
	}
	counts, err := tableCounts(ctx, db)
	m.Tables = counts
	return err
}

func tableCounts(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("backup: list tables: %w", err)
	}
	var names [][2]string
	for rows.Next() {
		var s, t string
		if err := rows.Scan(&s, &t); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, [2]string{s, t})
	}
	rows.Close()
	out := map[string]int64{}
	for _, n := range names {
		var c int64
		q := fmt.Sprintf(`SELECT count(*) FROM %q.%q`, n[0], n[1])
		if err := db.QueryRowContext(ctx, q).Scan(&c); err != nil {
			return nil, fmt.Errorf("backup: count %s.%s: %w", n[0], n[1], err)
		}
		out[n[0]+"."+n[1]] = c
	}
	return out, nil
}

var versionRE = regexp.MustCompile(`(\d+)(?:\.(\d+))?`)

// checkPgDump refuses a pg_dump older than the server.
func checkPgDump(ctx context.Context, serverNum string) (string, error) {
	b, err := exec.CommandContext(ctx, "pg_dump", "--version").Output()
	if err != nil {
		return "", errors.New("backup: pg_dump is not installed: install the PostgreSQL client of the server's major version (Debian: postgresql-client)")
	}
	v := strings.TrimSpace(string(b))
	m := versionRE.FindStringSubmatch(v)
	server, _ := strconv.Atoi(serverNum)
	if m == nil {
		return v, nil
	}
	major, _ := strconv.Atoi(m[1])
	if major < server/10000 {
		return "", fmt.Errorf("backup: %s is older than the server (PostgreSQL %d): install postgresql-client-%d", v, server/10000, server/10000)
	}
	return v, nil
}

// dumpPart streams pg_dump -Fc through SHA-256 and age into path.
func dumpPart(ctx context.Context, dsn secret.String, path string, rcpts []age.Recipient) (Part, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--no-owner", "--dbname", dsn.Reveal())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Part{}, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return Part{}, fmt.Errorf("backup: start pg_dump: %w", err)
	}
	part, werr := encryptTo(path, stdout, rcpts)
	if werr != nil {
		cancel() // stop pg_dump: nobody reads its output any more
		_ = cmd.Wait()
		return Part{}, werr
	}
	if err := cmd.Wait(); err != nil {
		return Part{}, fmt.Errorf("backup: pg_dump failed: %s", redact(stderr.String(), dsn))
	}
	return part, nil
}

func redact(s string, dsn secret.String) string {
	return strings.TrimSpace(strings.ReplaceAll(s, dsn.Reveal(), "[DSN]"))
}

// encryptTo writes r encrypted to path, hashing both sides, and syncs it.
// Three stages run concurrently: hashing the plaintext, encrypting, and
// hashing and writing the ciphertext.
func encryptTo(path string, r io.Reader, rcpts []age.Recipient) (Part, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return Part{}, err
	}
	defer f.Close()
	cipher, plain := sha256.New(), sha256.New()
	counter := &countWriter{w: io.MultiWriter(f, cipher)}
	pr, pw := io.Pipe()
	written := make(chan error, 1)
	go func() {
		_, err := io.CopyBuffer(counter, pr, make([]byte, 1<<20))
		pr.CloseWithError(err)
		written <- err
	}()
	hashed, hashErr := hashAsync(plain)
	w, err := age.Encrypt(pw, rcpts...)
	if err != nil {
		pw.CloseWithError(err)
		return Part{}, err
	}
	err = copyChunks(w, r, hashed)
	close(hashed)
	if err == nil {
		err = w.Close()
	}
	pw.CloseWithError(err)
	if werr := <-written; err == nil {
		err = werr
	}
	if herr := <-hashErr; err == nil {
		err = herr
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		return Part{}, fmt.Errorf("backup: write %s: %w", path, err)
	}
	return Part{Name: filepath.Base(path), Bytes: counter.n, SHA256: hex.EncodeToString(cipher.Sum(nil)), PlainSHA256: hex.EncodeToString(plain.Sum(nil))}, nil
}

// hashAsync feeds chunks sent on the returned channel to h on its own
// goroutine; the error channel says when it is done.
func hashAsync(h hash.Hash) (chan []byte, chan error) {
	chunks, done := make(chan []byte, 4), make(chan error, 1)
	go func() {
		for c := range chunks {
			h.Write(c)
		}
		done <- nil
	}()
	return chunks, done
}

// copyChunks copies r to w in 1 MiB chunks, handing each to the plaintext
// hasher as well.
func copyChunks(w io.Writer, r io.Reader, hashed chan<- []byte) error {
	for {
		buf := make([]byte, 1<<20)
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

func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".manifest.json.tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "manifest.json"))
}
