package dest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/sshconn"
)

// SFTPConfig says where an SFTP store is and how to log in. The server's
// host key must be listed in KnownHosts; there is no way to skip that.
type SFTPConfig struct {
	Addr          string        // host or host:port (port 22 when omitted)
	User          string        // login
	Dir           string        // remote directory that holds the backups
	KnownHosts    string        // known_hosts file (ssh-keyscan -p PORT HOST >> FILE)
	Key           secret.String // private key (OpenSSH or PEM text); or
	KeyPassphrase secret.String // passphrase of Key, if it has one
	Password      secret.String // password, tried after Key
	Timeout       time.Duration // connection and handshake timeout (default 30 s)
}

// SFTP is a directory on an SFTP server.
type SFTP struct {
	cfg    SFTPConfig
	ssh    *ssh.Client
	client *sftp.Client
}

var _ Store = (*SFTP)(nil)

// OpenSFTP connects, verifies the host key and logs in (internal/sshconn).
func OpenSFTP(ctx context.Context, c SFTPConfig) (*SFTP, error) {
	c.Addr = sshconn.WithPort(c.Addr)
	s := &SFTP{cfg: c}
	var err error
	s.ssh, err = sshconn.Dial(ctx, sshconn.Config{Addr: c.Addr, User: c.User, KnownHosts: c.KnownHosts,
		Key: c.Key, KeyPassphrase: c.KeyPassphrase, Password: c.Password, Timeout: c.Timeout})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s, err)
	}
	if s.client, err = sftp.NewClient(s.ssh, sftp.UseConcurrentWrites(true), sftp.UseConcurrentReads(true)); err != nil {
		s.ssh.Close()
		return nil, fmt.Errorf("%s: start sftp: %w", s, err)
	}
	return s, nil
}

// String is sftp://user@host:port/dir.
func (s *SFTP) String() string {
	return "sftp://" + s.cfg.User + "@" + s.cfg.Addr + "/" + strings.TrimPrefix(s.cfg.Dir, "/")
}

func (s *SFTP) path(name string) string { return path.Join(s.cfg.Dir, name) }

// Create writes to a temporary file and renames it into place on Commit.
func (s *SFTP) Create(_ context.Context, name string) (Writer, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	final := s.path(name)
	if err := s.client.MkdirAll(path.Dir(final)); err != nil {
		return nil, fmt.Errorf("%s: create %s: %w", s, path.Dir(name), err)
	}
	tmp := path.Join(path.Dir(final), "."+path.Base(final)+".tmp-"+randomSuffix())
	f, err := s.client.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return nil, fmt.Errorf("%s: create %s: %w", s, name, err)
	}
	return newSFTPWriter(s, f, tmp, final, name), nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sftpWriter feeds the file through a pipe so that File.ReadFrom can keep
// several write requests in flight.
type sftpWriter struct {
	s               *SFTP
	f               *sftp.File
	tmp, final, rel string
	pw              *io.PipeWriter
	done            chan error
}

func newSFTPWriter(s *SFTP, f *sftp.File, tmp, final, rel string) *sftpWriter {
	pr, pw := io.Pipe()
	w := &sftpWriter{s: s, f: f, tmp: tmp, final: final, rel: rel, pw: pw, done: make(chan error, 1)}
	go func() {
		_, err := f.ReadFrom(pr)
		pr.CloseWithError(err)
		w.done <- err
	}()
	return w
}

func (w *sftpWriter) Write(p []byte) (int, error) {
	n, err := w.pw.Write(p)
	if err != nil {
		err = fmt.Errorf("%s: write %s: %w", w.s, w.rel, err)
	}
	return n, err
}

func (w *sftpWriter) Commit() error {
	w.pw.Close()
	err := <-w.done
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = w.s.client.PosixRename(w.tmp, w.final)
	}
	if err != nil {
		_ = w.s.client.Remove(w.tmp)
		return fmt.Errorf("%s: write %s: %w", w.s, w.rel, err)
	}
	return nil
}

func (w *sftpWriter) Abort() {
	w.pw.CloseWithError(errors.New("aborted"))
	<-w.done
	_ = w.f.Close()
	_ = w.s.client.Remove(w.tmp)
}

// Open reads name.
func (s *SFTP) Open(_ context.Context, name string) (io.ReadCloser, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	f, err := s.client.Open(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %s: %w", s, name, ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: open %s: %w", s, name, err)
	}
	return f, nil
}

// List returns the subdirectories of the remote directory.
func (s *SFTP) List(context.Context) ([]string, error) {
	infos, err := s.client.ReadDir(s.cfg.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: list: %w", s, err)
	}
	var ids []string
	for _, fi := range infos {
		if fi.IsDir() {
			ids = append(ids, fi.Name())
		}
	}
	return ids, nil
}

// Remove deletes the remote directory id.
func (s *SFTP) Remove(_ context.Context, id string) error {
	if err := CheckID(id); err != nil {
		return err
	}
	err := s.client.RemoveAll(s.path(id))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: remove %s: %w", s, id, err)
	}
	return nil
}

// Close ends the session.
func (s *SFTP) Close() error {
	err := s.client.Close()
	if serr := s.ssh.Close(); err == nil {
		err = serr
	}
	return err
}
