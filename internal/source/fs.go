package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// FS is where a file source (csv, xlsx) reads its files: the machine's
// disk (Local) or a directory on an SFTP server (internal/source/remote).
// A source calls Open once per Schema, Scan and Digest, on the caller's
// goroutine, and closes the file before returning; Open's error wraps
// fs.ErrNotExist for a missing file. Where names a file in errors.
type FS interface {
	Open(name string) (File, error)
	Where(name string) string
}

// File is an open file of an FS, read in order (csv) or at offsets (an
// xlsx workbook is a zip archive).
type File interface {
	io.Reader
	io.ReaderAt
	io.Closer
	Stat() (fs.FileInfo, error)
}

// Local is the machine's file system; names are paths.
type Local struct{}

// Open opens the file at name.
func (Local) Open(name string) (File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Where is the path itself.
func (Local) Where(name string) string { return name }

// Located is a file source's place: the source's name, the file's path
// in its FS, and how positions and errors name the file (Display, the path
// as the plan wrote it). The CSV and XLSX sources embed it to open the
// file, digest it and word their errors alike.
type Located struct {
	FS      FS
	Name    string
	Path    string
	Display string
}

// OpenFile opens the file's bytes as they are stored; a missing file is an
// error that says where it was looked for.
func (l Located) OpenFile() (File, error) {
	f, err := l.FS.Open(l.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, l.Errorf("the file does not exist (looked for %s)", l.FS.Where(l.Path))
	}
	if err != nil {
		return nil, l.Errorf("%v", err)
	}
	return f, nil
}

// Errorf is an error naming the source and the file.
func (l Located) Errorf(format string, a ...any) error {
	return fmt.Errorf("source %s: %s: "+format, append([]any{l.Name, l.Display}, a...)...)
}

// Digest is the SHA-256 of the file's bytes (compressed, if it is).
func (l Located) Digest(context.Context) (string, error) {
	f, err := l.OpenFile()
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", l.Errorf("%v", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Close releases nothing: every Scan opens and closes the file. It is safe
// to call more than once.
func (Located) Close() error { return nil }
