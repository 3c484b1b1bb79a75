package backup

import (
	"io/fs"
	"path"
	"sort"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Remote is a file system on another machine: remote.SFTP is one.
type Remote interface {
	Open(name string) (source.File, error)
	Stat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.FileInfo, error)
}

// RemoteDir presents the directory Root of a Remote (a directory on an
// SFTP server) as an io/fs file system, so a filestore that lives on the
// Odoo server is backed up without copying it here first.
type RemoteDir struct {
	FS   Remote
	Root string
}

var (
	_ fs.StatFS    = RemoteDir{}
	_ fs.ReadDirFS = RemoteDir{}
)

func (d RemoteDir) path(name string) string { return path.Join(d.Root, name) }

// Open opens a file for reading.
func (d RemoteDir) Open(name string) (fs.File, error) { return d.FS.Open(d.path(name)) }

// Stat describes a file or directory.
func (d RemoteDir) Stat(name string) (fs.FileInfo, error) { return d.FS.Stat(d.path(name)) }

// ReadDir lists a directory, sorted by name.
func (d RemoteDir) ReadDir(name string) ([]fs.DirEntry, error) {
	infos, err := d.FS.ReadDir(d.path(name))
	if err != nil {
		return nil, err
	}
	out := make([]fs.DirEntry, len(infos))
	for i, info := range infos {
		out[i] = fs.FileInfoToDirEntry(info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}
