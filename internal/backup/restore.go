package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"

	"filippo.io/age"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// Target is where a backup is restored to.
type Target struct {
	DSN       secret.String // an empty PostgreSQL database
	Filestore string        // an empty or absent directory; empty: the filestore is not restored
}

// Restore verifies the copy of backup id in s, then restores the dump into
// the database at to.DSN with pg_restore and, when to.Filestore is set,
// extracts the filestore there.
func Restore(ctx context.Context, s dest.Store, id string, keys Keys, to Target) (*Manifest, error) {
	m, _, err := restore(ctx, s, id, keys, to)
	return m, err
}

// restore is Restore, with the row counts a manager zip's dump.sql holds
// (nil for a pg_dump backup, whose manifest has them).
func restore(ctx context.Context, s dest.Store, id string, keys Keys, to Target) (*Manifest, map[string]int64, error) {
	if err := requireEmpty(ctx, to.DSN); err != nil {
		return nil, nil, err
	}
	m, err := Verify(ctx, s, id, keys)
	if err != nil {
		return nil, nil, err
	}
	if zp, ok := m.Part(KindManagerZip); ok {
		counts, err := restoreZip(ctx, s, id, zp, keys, to)
		return m, counts, err
	}
	return m, nil, restoreDump(ctx, s, id, m, keys, to)
}

func restoreDump(ctx context.Context, s dest.Store, id string, m *Manifest, keys Keys, to Target) error {
	fsPart, hasFS := m.Part(KindFilestore)
	if to.Filestore != "" && !hasFS {
		return fmt.Errorf("backup %s has no filestore to restore into %s", id, to.Filestore)
	}
	dump, _ := m.Part(KindPgDump)
	if err := restorePart(ctx, s, id, dump, keys, func(r io.Reader) error { return pgRestore(ctx, r, to.DSN) }); err != nil {
		return err
	}
	if to.Filestore == "" {
		return nil
	}
	return restorePart(ctx, s, id, fsPart, keys, func(r io.Reader) error {
		_, err := extractTar(r, to.Filestore)
		return err
	})
}

// restorePart decrypts part p into use and checks, once use has read it
// all, that the plaintext is still the one the manifest names.
func restorePart(ctx context.Context, s dest.Store, id string, p Part, keys Keys, use func(io.Reader) error) error {
	ids, err := keys.identities()
	if err != nil {
		return err
	}
	f, err := s.Open(ctx, id+"/"+p.Name)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := age.Decrypt(f, ids...)
	if err != nil {
		return &CorruptError{Store: s.String(), ID: id, File: p.Name, Reason: "cannot decrypt: " + err.Error()}
	}
	plain := sha256.New()
	tee := io.TeeReader(r, plain)
	if err := use(tee); err != nil {
		return fmt.Errorf("restore %s of backup %s: %w", p.Name, id, err)
	}
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return &CorruptError{Store: s.String(), ID: id, File: p.Name, Reason: err.Error()}
	}
	if hex.EncodeToString(plain.Sum(nil)) != p.PlainSHA256 {
		return &CorruptError{Store: s.String(), ID: id, File: p.Name, Reason: "changed while it was restored: the restored data cannot be trusted"}
	}
	return nil
}

func pgRestore(ctx context.Context, r io.Reader, dsn secret.String) error {
	cmd := exec.CommandContext(ctx, "pg_restore", "--no-owner", "--exit-on-error", "--dbname", dsn.Reveal())
	cmd.Stdin = r
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return errors.New("pg_restore is not installed (Debian: postgresql-client)")
		}
		return fmt.Errorf("pg_restore failed: %s", redact(stderr.String(), dsn))
	}
	return nil
}

// requireEmpty refuses a database that holds tables: a restore adds a
// dump's rows to whatever is there (a mistaken DSN could name the live
// Odoo database), and a restore test's counts would be wrong.
func requireEmpty(ctx context.Context, dsn secret.String) error {
	db, err := sql.Open("pgx", dsn.Reveal())
	if err != nil {
		return errors.New("backup: the database DSN is not valid")
	}
	defer db.Close()
	names, err := tableNames(ctx, db)
	if err != nil {
		return fmt.Errorf("backup: cannot read the database to restore into: %s", redact(err.Error(), dsn))
	}
	if len(names) > 0 {
		return fmt.Errorf("backup: the database to restore into is not empty (%d table(s), first %s.%s): restore needs an empty database, "+
			"e.g. createdb a new one", len(names), names[0][0], names[0][1])
	}
	return nil
}

// RestoreTest restores the copy of backup id in s into the empty scratch
// database at dsn and compares each table's row count with the manifest;
// it returns the differences, one line per table.
func RestoreTest(ctx context.Context, s dest.Store, id string, keys Keys, dsn secret.String) ([]string, error) {
	m, zipCounts, err := restore(ctx, s, id, keys, Target{DSN: dsn})
	if err != nil {
		return nil, err
	}
	want := m.Tables
	if zipCounts != nil {
		want = zipCounts // a manager zip: its dump.sql says what each table held
	}
	db, err := sql.Open("pgx", dsn.Reveal())
	if err != nil {
		return nil, errors.New("backup: the scratch database DSN is not valid")
	}
	defer db.Close()
	got, err := tableCounts(ctx, db)
	if err != nil {
		return nil, err
	}
	return compareCounts(want, got), nil
}

func compareCounts(want, got map[string]int64) []string {
	var diffs []string
	for t, n := range want {
		if g, ok := got[t]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows at backup, missing after restore", t, n))
		} else if g != n {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows at backup, %d restored", t, n, g))
		}
	}
	for t, n := range got {
		if _, ok := want[t]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: not in the backup, %d rows restored", t, n))
		}
	}
	sort.Strings(diffs)
	return diffs
}
