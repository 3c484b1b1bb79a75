package desttest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/sshconn/sshtest"
)

// SSHD is the path of OpenSSH's server (Debian: openssh-server).
const SSHD = sshtest.SSHD

// SFTPServer starts a real sshd on a loopback port (internal/sshconn/sshtest),
// with a fresh host key and a fresh client key in its authorized_keys, and
// returns a config that logs in with that key into an empty directory.
// The server stops when the test ends. Without sshd the test is skipped
// (fails under FERRY_INTEGRATION=1).
func SFTPServer(t testing.TB) dest.SFTPConfig {
	s := sshtest.Start(t)
	store := filepath.Join(s.Dir, "store")
	require.NoError(t, os.Mkdir(store, 0o700))
	return dest.SFTPConfig{Addr: s.Addr, User: s.User, Dir: store, KnownHosts: s.KnownHosts, Key: s.Key}
}

// NewKey makes an Ed25519 key pair: the public key and the private key as
// OpenSSH PEM text.
func NewKey(t testing.TB) (ssh.PublicKey, secret.String) { return sshtest.NewKey(t) }

// waitTimeout bounds a connection attempt in tests.
const waitTimeout = sshtest.Timeout
