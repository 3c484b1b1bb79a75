package source

import (
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
