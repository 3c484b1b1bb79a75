package dest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Store is a place that holds backups. The backup package calls it from
// one goroutine at a time per store; every method may do I/O.
type Store interface {
	// String names the store for messages, without credentials
	// ("/var/backups", "sftp://backup@host:22/srv/ferry", "s3://host/bucket/prefix").
	String() string
	// Create starts writing the file name ("<id>/<file>"). Nothing is
	// visible under name until Commit returns nil; Abort discards it.
	Create(ctx context.Context, name string) (Writer, error)
	// Open reads the file name. A missing file is an error wrapping
	// ErrNotExist.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// List returns the ids (top-level names) in the store, in no order.
	List(ctx context.Context) ([]string, error)
	// Remove deletes id and every file under it; a missing id is not an error.
	Remove(ctx context.Context, id string) error
	// Close releases the connection, if any.
	Close() error
}

// Writer writes one file. Commit makes it visible under its name; Abort
// throws away what was written. After either, the Writer is finished.
type Writer interface {
	io.Writer
	Commit() error
	Abort()
}

// ErrNotExist says a file is not in the store.
var ErrNotExist = errors.New("dest: file does not exist")

// CheckName refuses names that are not "<id>/<file>" with two plain
// components: no empty part, no "." or "..", no backslash, no leading slash.
func CheckName(name string) error {
	parts := strings.Split(name, "/")
	if len(parts) > 2 {
		return fmt.Errorf("dest: name %q has more than two components: refused", name)
	}
	for _, p := range parts {
		if err := CheckID(p); err != nil {
			return fmt.Errorf("dest: name %q: %w", name, err)
		}
	}
	return nil
}

// CheckID refuses a single name component that could leave its directory.
func CheckID(id string) error {
	switch {
	case id == "" || id == "." || id == "..":
		return fmt.Errorf("%q is not a plain name: refused", id)
	case strings.ContainsAny(id, "/\\\x00"):
		return fmt.Errorf("%q contains a path separator: refused", id)
	}
	return nil
}
