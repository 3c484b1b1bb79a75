package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ferry-migrate/ferry/internal/backup"
	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source/remote"
	"github.com/ferry-migrate/ferry/internal/sshconn"
)

// storeFlags say how to reach remote stores; each secret is named by
// reference (an environment variable or a file), never given inline.
type storeFlags struct {
	KnownHosts     string
	SFTPKey        string
	SFTPKeyPassEnv string
	SFTPPassEnv    string
	S3AccessEnv    string
	S3SecretEnv    string
	S3Region       string
	S3CA           string
}

func (f *storeFlags) AddFlags(fs *pflag.FlagSet) {
	home, _ := os.UserHomeDir()
	fs.StringVar(&f.KnownHosts, "known-hosts", filepath.Join(home, ".ssh", "known_hosts"), "SFTP: known_hosts file the server's host key must be in")
	fs.StringVar(&f.SFTPKey, "sftp-key", "", "SFTP: private key file to log in with")
	fs.StringVar(&f.SFTPKeyPassEnv, "sftp-key-passphrase-env", "", "SFTP: environment variable with the private key's passphrase")
	fs.StringVar(&f.SFTPPassEnv, "sftp-password-env", "", "SFTP: environment variable with the password")
	fs.StringVar(&f.S3AccessEnv, "s3-access-key-env", "AWS_ACCESS_KEY_ID", "S3: environment variable with the access key id")
	fs.StringVar(&f.S3SecretEnv, "s3-secret-key-env", "AWS_SECRET_ACCESS_KEY", "S3: environment variable with the secret key")
	fs.StringVar(&f.S3Region, "s3-region", "", "S3: region")
	fs.StringVar(&f.S3CA, "s3-ca", "", "S3: PEM file of the CA to trust instead of the system's")
}

// open opens the store at loc: a directory, sftp://user@host[:port]/dir,
// s3://host[:port]/bucket[/prefix], or s3+http://… on a loopback address.
func (f *storeFlags) open(ctx context.Context, loc string) (dest.Store, error) {
	scheme, _, isURL := strings.Cut(loc, "://")
	if !isURL {
		return dest.Local{Dir: loc}, nil
	}
	u, err := url.Parse(loc)
	if err != nil {
		return nil, Usage(fmt.Errorf("store %s: %w", secret.RedactURL(loc), err))
	}
	if _, hasPass := u.User.Password(); hasPass {
		return nil, Usage(fmt.Errorf("store %s: put no password in the URL: name it with --sftp-password-env or --s3-secret-key-env", secret.RedactURL(loc)))
	}
	switch scheme {
	case "sftp":
		return f.openSFTP(ctx, u)
	case "s3", "s3+http":
		return f.openS3(ctx, u, scheme == "s3+http")
	}
	return nil, Usage(fmt.Errorf("store %s: unknown scheme %s (a directory, sftp://, s3:// or s3+http:// on loopback)", loc, scheme))
}

func (f *storeFlags) openSFTP(ctx context.Context, u *url.URL) (dest.Store, error) {
	c, dir, err := f.sshTarget(u)
	if err != nil {
		return nil, err
	}
	return dest.OpenSFTP(ctx, dest.SFTPConfig{Addr: c.Addr, User: c.User, Dir: dir, KnownHosts: c.KnownHosts,
		Key: c.Key, KeyPassphrase: c.KeyPassphrase, Password: c.Password})
}

// sshTarget reads sftp://user@host[:port]/dir with the SSH flags: the
// connection and the directory ("/~/dir" is relative to the login's home).
func (f *storeFlags) sshTarget(u *url.URL) (sshconn.Config, string, error) {
	c := sshconn.Config{Addr: u.Host, User: u.User.Username(), KnownHosts: f.KnownHosts}
	dir := u.Path
	if rest, ok := strings.CutPrefix(dir, "/~/"); ok {
		dir = rest
	}
	if c.User == "" || dir == "" {
		return c, "", Usage(fmt.Errorf("%s: give the user and the directory: sftp://user@host/dir", u.Redacted()))
	}
	var err error
	if f.SFTPKey != "" {
		if c.Key, err = (secret.Ref{File: f.SFTPKey}).Resolve(); err != nil {
			return c, "", Usage(err)
		}
	}
	if c.KeyPassphrase, err = resolveOptional(f.SFTPKeyPassEnv); err != nil {
		return c, "", err
	}
	if c.Password, err = resolveOptional(f.SFTPPassEnv); err != nil {
		return c, "", err
	}
	return c, dir, nil
}

// remoteFilestore opens a filestore given as sftp://user@host/dir; a
// local path needs nothing. The returned close ends the connection.
func (f *storeFlags) remoteFilestore(ctx context.Context, src *backup.Source) (func(), error) {
	if !strings.HasPrefix(src.Filestore, "sftp://") {
		return func() {}, nil
	}
	u, err := url.Parse(src.Filestore)
	if err != nil {
		return nil, Usage(fmt.Errorf("--filestore: %w", err))
	}
	if _, hasPass := u.User.Password(); hasPass {
		return nil, Usage(errors.New("--filestore: put no password in the URL: name it with --sftp-password-env"))
	}
	c, dir, err := f.sshTarget(u)
	if err != nil {
		return nil, err
	}
	conn, err := remote.OpenSFTP(ctx, c)
	if err != nil {
		return nil, err
	}
	src.FilestoreFS = backup.RemoteDir{FS: conn, Root: dir}
	return func() { conn.Close() }, nil
}

func (f *storeFlags) openS3(ctx context.Context, u *url.URL, plain bool) (dest.Store, error) {
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if u.Host == "" || bucket == "" {
		return nil, Usage(fmt.Errorf("store %s: give the endpoint and the bucket: s3://host/bucket/prefix", u.Redacted()))
	}
	c := dest.S3Config{Endpoint: u.Host, Bucket: bucket, Prefix: prefix, Region: f.S3Region, PlainHTTP: plain}
	var err error
	if c.AccessKey, err = (secret.Ref{Env: f.S3AccessEnv}).Resolve(); err != nil {
		return nil, Usage(err)
	}
	if c.SecretKey, err = (secret.Ref{Env: f.S3SecretEnv}).Resolve(); err != nil {
		return nil, Usage(err)
	}
	if f.S3CA != "" {
		pem, err := os.ReadFile(f.S3CA)
		if err != nil {
			return nil, Usage(err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, Usage(fmt.Errorf("--s3-ca %s holds no PEM certificate", f.S3CA))
		}
	}
	return dest.OpenS3(ctx, c)
}

func resolveOptional(env string) (secret.String, error) {
	if env == "" {
		return secret.String{}, nil
	}
	v, err := (secret.Ref{Env: env}).Resolve()
	if err != nil {
		return v, Usage(err)
	}
	return v, nil
}

// openAll opens every location; on failure it closes those already open.
func (f *storeFlags) openAll(ctx context.Context, locs []string) ([]dest.Store, func(), error) {
	var stores []dest.Store
	closeAll := func() {
		for _, s := range stores {
			s.Close()
		}
	}
	for _, loc := range locs {
		s, err := f.open(ctx, loc)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		stores = append(stores, s)
	}
	return stores, closeAll, nil
}

// backupRef resolves the argument of verify and restore: the path of a
// backup directory (when no --to is given), or an id in the --to stores
// (default ./backups).
func backupRef(arg string, locs []string) (id string, _ []string, err error) {
	if len(locs) == 0 {
		if _, err := os.Stat(filepath.Join(arg, "manifest.json")); err == nil {
			return filepath.Base(filepath.Clean(arg)), []string{filepath.Dir(filepath.Clean(arg))}, nil
		}
		locs = []string{"backups"}
	}
	if err := dest.CheckID(arg); err != nil {
		return "", nil, Usage(errors.New("give a backup id (see ferry backup list) or the path of a backup directory: " + err.Error()))
	}
	return arg, locs, nil
}
