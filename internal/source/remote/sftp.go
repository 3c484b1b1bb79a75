package remote

import (
	"context"
	"fmt"
	"io/fs"
	"path"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/sshconn"
)

// SFTP is the file system of an SFTP server, read-only.
type SFTP struct {
	ssh    *ssh.Client
	client *sftp.Client
	base   string // sftp://user@host:port
}

var _ source.FS = (*SFTP)(nil)

// OpenSFTP connects to the server c names (see sshconn.Dial) and starts
// the sftp subsystem. Errors say what failed (sshconn's kinds) and name
// the server, not the caller's subject.
func OpenSFTP(ctx context.Context, c sshconn.Config) (*SFTP, error) {
	c.Addr = sshconn.WithPort(c.Addr)
	s := &SFTP{base: "sftp://" + c.User + "@" + c.Addr}
	var err error
	if s.ssh, err = sshconn.Dial(ctx, c); err != nil {
		return nil, err
	}
	if s.client, err = sftp.NewClient(s.ssh, sftp.UseConcurrentReads(true)); err != nil {
		s.ssh.Close()
		return nil, fmt.Errorf("%s: start sftp (is the sftp subsystem enabled?): %w", s.base, err)
	}
	return s, nil
}

// Open opens the file at name for reading; a missing file's error wraps
// fs.ErrNotExist.
func (s *SFTP) Open(name string) (source.File, error) {
	f, err := s.client.Open(name)
	if err != nil {
		return nil, s.pathError("open", name, err)
	}
	if info, err := f.Stat(); err == nil && info.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a directory", s.Where(name))
	}
	return f, nil
}

// Stat describes the file or directory at name.
func (s *SFTP) Stat(name string) (fs.FileInfo, error) {
	info, err := s.client.Stat(name)
	if err != nil {
		return nil, s.pathError("stat", name, err)
	}
	return info, nil
}

// ReadDir lists the directory at name, sorted by name.
func (s *SFTP) ReadDir(name string) ([]fs.FileInfo, error) {
	infos, err := s.client.ReadDir(name)
	if err != nil {
		return nil, s.pathError("list", name, err)
	}
	return infos, nil
}

// Glob returns the names matching pattern (path.Match syntax, one level
// of wildcards per path element).
func (s *SFTP) Glob(pattern string) ([]string, error) {
	m, err := s.client.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("the pattern %s: %w", s.Where(pattern), err)
	}
	return m, nil
}

// Where is sftp://user@host:port/path; a path relative to the login
// directory is shown under /~/.
func (s *SFTP) Where(name string) string {
	if path.IsAbs(name) {
		return s.base + name
	}
	return s.base + "/~/" + name
}

// pathError names the file and keeps fs.ErrNotExist matchable (the
// client turns the server's status codes into fs errors).
func (s *SFTP) pathError(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: s.Where(name), Err: err}
}

// Close ends the sftp session and the SSH connection; it is safe to call
// twice.
func (s *SFTP) Close() error {
	_ = s.client.Close()
	_ = s.ssh.Close()
	return nil
}
