package dest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Local is a directory on this machine's file system.
type Local struct{ Dir string }

var _ Store = Local{}

// String is the directory.
func (l Local) String() string { return l.Dir }

// Create writes into a temporary file beside name; Commit syncs it and
// renames it into place.
func (l Local) Create(_ context.Context, name string) (Writer, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	path := filepath.Join(l.Dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &localWriter{f: f, path: path}, nil
}

type localWriter struct {
	f    *os.File
	path string
}

func (w *localWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

func (w *localWriter) Commit() error {
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(w.f.Name(), w.path)
	}
	if err != nil {
		_ = os.Remove(w.f.Name())
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	return syncDir(filepath.Dir(w.path))
}

func (w *localWriter) Abort() {
	_ = w.f.Close()
	_ = os.Remove(w.f.Name())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Open opens name for reading.
func (l Local) Open(_ context.Context, name string) (io.ReadCloser, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(l.Dir, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %s: %w", l.Dir, name, ErrNotExist)
	}
	return f, err
}

// List returns the subdirectories of the directory; a directory that does
// not exist yet holds nothing.
func (l Local) List(context.Context) ([]string, error) {
	entries, err := os.ReadDir(l.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// Remove deletes the subdirectory id.
func (l Local) Remove(_ context.Context, id string) error {
	if err := CheckID(id); err != nil {
		return err
	}
	return os.RemoveAll(filepath.Join(l.Dir, id))
}

// Close does nothing.
func (Local) Close() error { return nil }
