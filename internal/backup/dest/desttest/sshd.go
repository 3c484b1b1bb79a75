package desttest

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// SSHD is the path of OpenSSH's server (Debian: openssh-server).
const SSHD = "/usr/sbin/sshd"

// SFTPServer starts a real sshd on a loopback port, with a fresh host key
// and a fresh client key in its authorized_keys, and returns a config that
// logs in with that key into an empty directory. The server stops when the
// test ends. Without sshd the test is skipped (fails under
// FERRY_INTEGRATION=1).
func SFTPServer(t testing.TB) dest.SFTPConfig {
	if _, err := os.Stat(SSHD); err != nil {
		testutil.Unavailable(t, "OpenSSH server "+SSHD+" (apt-get install openssh-server)", err)
		return dest.SFTPConfig{}
	}
	me, err := user.Current()
	require.NoError(t, err)
	if me.Uid == "0" {
		require.NoError(t, os.MkdirAll("/run/sshd", 0o755), "sshd's privilege separation directory")
	}
	dir := t.TempDir()
	hostPub := writeKey(t, filepath.Join(dir, "host_key"))
	clientPub, clientKey := NewKey(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(clientPub), 0o600))
	addr := startSSHD(t, dir)
	known := filepath.Join(dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, hostPub)
	require.NoError(t, os.WriteFile(known, []byte(line+"\n"), 0o600))
	store := filepath.Join(dir, "store")
	require.NoError(t, os.Mkdir(store, 0o700))
	return dest.SFTPConfig{Addr: addr, User: me.Username, Dir: store, KnownHosts: known, Key: clientKey}
}

// NewKey makes an Ed25519 key pair: the public key and the private key as
// OpenSSH PEM text.
func NewKey(t testing.TB) (ssh.PublicKey, secret.String) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "")
	require.NoError(t, err)
	sshPub, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return sshPub, secret.New(string(pem.EncodeToMemory(block)))
}

func writeKey(t testing.TB, path string) ssh.PublicKey {
	pub, key := NewKey(t)
	require.NoError(t, os.WriteFile(path, []byte(key.Reveal()), 0o600))
	return pub
}

// startSSHD runs sshd in the foreground and waits for the line saying it
// listens; a port taken in between is retried with another.
func startSSHD(t testing.TB, dir string) string {
	var lastErr error
	for range 3 {
		port := freePort(t)
		conf := filepath.Join(dir, "sshd_config")
		require.NoError(t, os.WriteFile(conf, []byte(sshdConfig(dir, port)), 0o600))
		addr, err := runSSHD(t, conf, port)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	testutil.Unavailable(t, "an sshd on loopback", lastErr)
	return ""
}

func sshdConfig(dir string, port int) string {
	return strings.Join([]string{
		fmt.Sprintf("Port %d", port),
		"ListenAddress 127.0.0.1",
		"HostKey " + filepath.Join(dir, "host_key"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"StrictModes no",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password",
		"UsePAM no",
		"Subsystem sftp internal-sftp",
		"LogLevel INFO",
	}, "\n") + "\n"
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func runSSHD(t testing.TB, conf string, port int) (string, error) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, SSHD, "-D", "-e", "-f", conf)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	if err := cmd.Start(); err != nil {
		cancel()
		return "", err
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	ready := fmt.Sprintf("Server listening on 127.0.0.1 port %d", port)
	lines := bufio.NewScanner(stderr)
	var seen []string
	for lines.Scan() {
		if strings.Contains(lines.Text(), ready) {
			go drain(lines)
			return fmt.Sprintf("127.0.0.1:%d", port), nil
		}
		seen = append(seen, lines.Text())
	}
	cancel()
	return "", errors.New("sshd exited: " + strings.Join(seen, "; "))
}

func drain(s *bufio.Scanner) {
	for s.Scan() {
	}
}

// waitTimeout bounds a connection attempt in tests.
const waitTimeout = 30 * time.Second
