package open

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/remote"
)

// ErrOutside is returned by Dir.Open for a name that leaves the directory
// (absolute, .., or a link that points out of it).
var ErrOutside = errors.New("open: the name leaves the files directory")

// Dir is the directory of a source of kind files: the files an entity's
// file() expressions name, by paths relative to it. It is local (relative
// to the plan) or on an SFTP server (path: sftp://user@host/dir, logged in
// with the source's ssh: as for csv files). Names never leave it: on the
// local disk not even through a symbolic link (os.Root); on an SFTP server
// by their text (the server resolves links). Open and Where may be called
// from one goroutine at a time; Close is safe to call twice.
type Dir struct {
	source string
	root   *os.Root // local
	shown  string   // the directory as the plan wrote it
	sftp   *remote.SFTP
	base   string // the directory on the SFTP server
}

// Files opens the directory of the files source name. Local directories
// must exist; an SFTP server is connected to at once, so a refused login
// or host key is reported here.
func Files(ctx context.Context, name string, spec source.Spec, dir string) (*Dir, error) {
	if strings.TrimSpace(spec.Path) == "" {
		return nil, fmt.Errorf("source %s: a files source needs path: (a directory, or sftp://user@host/dir)", name)
	}
	if spec.SSH != nil || isSFTP(spec.Path) {
		if !isSFTP(spec.Path) {
			return nil, fmt.Errorf("source %s: ssh: is for files on an SFTP server: write path: as sftp://user@host/dir", name)
		}
		loc, err := parseSFTP(name, spec)
		if err != nil {
			return nil, err
		}
		conf, err := sshConfig(name, spec.SSH, dir)
		if err != nil {
			return nil, err
		}
		conf.Addr, conf.User = loc.addr, loc.user
		fsys, err := remote.OpenSFTP(ctx, conf)
		if err != nil {
			return nil, fmt.Errorf("source %s: sftp://%s@%s: %w", name, loc.user, loc.addr, err)
		}
		if info, err := fsys.Stat(loc.dir); err != nil || !info.IsDir() {
			fsys.Close()
			return nil, fmt.Errorf("source %s: %s is not a directory on the server", name, fsys.Where(loc.dir))
		}
		return &Dir{source: name, sftp: fsys, base: loc.dir}, nil
	}
	root, err := os.OpenRoot(resolve(dir, spec.Path))
	if err != nil {
		return nil, fmt.Errorf("source %s: the directory %s: %w", name, spec.Path, errors.Unwrap(err))
	}
	return &Dir{source: name, root: root, shown: filepath.ToSlash(spec.Path)}, nil
}

// Open opens the file at name, a path relative to the directory with /
// separators. A missing file's error wraps fs.ErrNotExist; a name that
// leaves the directory is ErrOutside.
func (d *Dir) Open(name string) (source.File, error) {
	if !filepath.IsLocal(name) {
		return nil, fmt.Errorf("%s: %w", d.Where(name), ErrOutside)
	}
	if d.sftp != nil {
		return d.sftp.Open(path.Join(d.base, name))
	}
	f, err := d.root.Open(filepath.FromSlash(name))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes") {
			return nil, fmt.Errorf("%s: %w", d.Where(name), ErrOutside)
		}
		if errors.As(err, &pe) {
			return nil, &fs.PathError{Op: pe.Op, Path: d.Where(name), Err: pe.Err}
		}
		return nil, err
	}
	if info, err := f.Stat(); err == nil && info.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a directory", d.Where(name))
	}
	return f, nil
}

// Where names a file of the directory in findings: the plan's path and
// the name, or its sftp:// location.
func (d *Dir) Where(name string) string {
	if d.sftp != nil {
		return d.sftp.Where(path.Join(d.base, name))
	}
	return path.Join(d.shown, name)
}

// Close releases the directory (and the SFTP connection).
func (d *Dir) Close() error {
	if d.sftp != nil {
		return d.sftp.Close()
	}
	if d.root != nil {
		return d.root.Close()
	}
	return nil
}
