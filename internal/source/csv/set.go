package csv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
)

var (
	_ source.Source   = (*Set)(nil)
	_ source.Digester = (*Set)(nil)
)

// Set is several CSV files read as one source, in the order given (the
// opener sorts them by name). Every file must have the same columns as the
// first, in any order. Positions name each file; Row counts rows within
// it, and a scan resumes after after.Row of after.File.
type Set struct {
	name  string
	files []*File
}

// NewSet returns the files as one source name. It does no I/O.
func NewSet(name string, files []*File) *Set {
	return &Set{name: name, files: files}
}

// Schema is the first file's; a set without files is an error.
func (s *Set) Schema(ctx context.Context) (record.Schema, error) {
	if len(s.files) == 0 {
		return record.Schema{}, fmt.Errorf("source %s: no file matches", s.name)
	}
	return s.files[0].Schema(ctx)
}

// Scan reads the files one after the other.
func (s *Set) Scan(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	sch, err := s.Schema(ctx)
	if err != nil {
		return err
	}
	start := 0
	if after.File != "" {
		start = slices.IndexFunc(s.files, func(f *File) bool { return f.Display == after.File })
		if start < 0 {
			return fmt.Errorf("source %s: cannot resume after %s: the file is no longer in the set", s.name, after)
		}
	}
	for i, f := range s.files[start:] {
		if i > 0 {
			if err := sameColumns(f, sch); err != nil {
				return err
			}
		}
		from := record.Position{}
		if i == 0 {
			from = after
		}
		if err := f.Scan(ctx, from, func(r *record.Record) error {
			r.Columns = sch.Names()
			return fn(r)
		}); err != nil {
			return err
		}
	}
	return nil
}

// sameColumns checks that f has the columns of the set.
func sameColumns(f *File, want record.Schema) error {
	got, err := f.Schema(context.Background())
	if err != nil {
		return err
	}
	a, b := slices.Sorted(slices.Values(got.Names())), slices.Sorted(slices.Values(want.Names()))
	if !slices.Equal(a, b) {
		return f.Errorf("its columns (%s) differ from the first file's (%s)",
			strings.Join(got.Names(), ", "), strings.Join(want.Names(), ", "))
	}
	return nil
}

// Digest is the SHA-256 of the files' names and digests, in order.
func (s *Set) Digest(ctx context.Context) (string, error) {
	h := sha256.New()
	for _, f := range s.files {
		d, err := f.Digest(ctx)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%s\n", f.Display, d)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Close closes every file; it is safe to call twice.
func (s *Set) Close() error {
	for _, f := range s.files {
		_ = f.Close()
	}
	return nil
}
