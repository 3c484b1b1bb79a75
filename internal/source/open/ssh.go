package open

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sqldb"
	"github.com/ferry-migrate/ferry/internal/sshconn"
)

// sshTimeout bounds connecting to an SSH server and its handshake.
const sshTimeout = 30 * time.Second

// sshConfig turns a source's ssh: into a connection config: known_hosts
// defaults to ~/.ssh/known_hosts, file names resolve against the plan's
// directory and ~/, secrets are read from their references.
func sshConfig(name string, s *source.SSH, dir string) (sshconn.Config, error) {
	if s == nil {
		s = &source.SSH{}
	}
	c := sshconn.Config{Addr: s.Host, User: s.User, KnownHosts: localPath(dir, s.KnownHosts), Timeout: sshTimeout}
	if c.KnownHosts == "" {
		c.KnownHosts = sshconn.DefaultKnownHosts()
	}
	for _, r := range []struct {
		key string
		ref secret.Ref
		to  *secret.String
	}{{"private_key", s.PrivateKey, &c.Key}, {"passphrase", s.Passphrase, &c.KeyPassphrase}, {"password", s.Password, &c.Password}} {
		if r.ref.IsZero() {
			continue
		}
		r.ref.File = localPath(dir, r.ref.File)
		v, err := r.ref.Resolve()
		if err != nil {
			return c, fmt.Errorf("source %s: ssh.%s: %w", name, r.key, err)
		}
		*r.to = v
	}
	if c.Key.IsZero() && c.Password.IsZero() {
		return c, fmt.Errorf("source %s: ssh: give private_key: {file: ~/.ssh/id_ed25519} or password: {env: NAME}", name)
	}
	return c, nil
}

// localPath expands ~/ and makes a relative name relative to the plan.
func localPath(dir, p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return resolve(dir, p)
}

// openDatabase opens a postgres or mysql source, through the SSH tunnel
// its ssh: names, if any. The tunnel is opened first: an unreachable
// bastion or a refused host key is reported before the database is tried.
func openDatabase(ctx context.Context, name string, spec source.Spec, dsn secret.String, sel source.Select, dir string) (source.Source, error) {
	if spec.SSH == nil {
		return sqldb.Open(ctx, name, spec.Kind, dsn, sel.Table, sel.Query)
	}
	tun, err := Tunnel(ctx, name, spec, dir)
	if err != nil {
		return nil, err
	}
	src, err := sqldb.OpenWith(ctx, name, spec.Kind, dsn, sel.Table, sel.Query, sqldb.Options{Tunnel: tun})
	if err != nil {
		tun.Close()
		return nil, err
	}
	return src, nil
}

// Tunnel opens the SSH tunnel of a postgres or mysql source's ssh:, for
// callers that connect to its database themselves (a security audit
// through sqldb.InspectWith); nil when the source has none. The caller
// closes it.
func Tunnel(ctx context.Context, name string, spec source.Spec, dir string) (*sshconn.Tunnel, error) {
	if spec.SSH == nil {
		return nil, nil
	}
	if spec.SSH.Host == "" || spec.SSH.User == "" {
		return nil, fmt.Errorf("source %s: ssh: a tunnel needs host: (the bastion, host or host:port) and user:", name)
	}
	conf, err := sshConfig(name, spec.SSH, dir)
	if err != nil {
		return nil, err
	}
	tun, err := sshconn.OpenTunnel(ctx, conf)
	if err != nil {
		return nil, fmt.Errorf("source %s: the SSH tunnel through ssh://%s@%s: %w", name, conf.User, sshconn.WithPort(conf.Addr), err)
	}
	return tun, nil
}

// noSSH refuses ssh: on a kind that cannot use it.
func noSSH(name string, spec source.Spec) error {
	if spec.SSH == nil {
		return nil
	}
	return fmt.Errorf("source %s: ssh: applies to csv and xlsx files on an SFTP server (path: sftp://…) and to postgres and mysql tunnels, not to a %s source", name, spec.Kind)
}
