package sshtest

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
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

	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/sshconn"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// SSHD is the path of OpenSSH's server (Debian: openssh-server).
const SSHD = "/usr/sbin/sshd"

// Timeout bounds a connection attempt in tests.
const Timeout = 30 * time.Second

// Server is a running sshd. It has an ECDSA and an Ed25519 host key, and
// KnownHosts lists only the Ed25519 one, so every connection also checks
// that the client asks for a key type known_hosts holds.
type Server struct {
	Addr       string        // 127.0.0.1:port
	User       string        // the current user, the only one who can log in
	Dir        string        // an empty directory for the test's files
	KnownHosts string        // a known_hosts file listing the server
	Key        secret.String // the private key in authorized_keys
	KeyFile    string        // Key, in a 0600 file
	HostKey    ssh.PublicKey // the Ed25519 host key
}

// Config logs in to s with its key.
func (s *Server) Config() sshconn.Config {
	return sshconn.Config{Addr: s.Addr, User: s.User, KnownHosts: s.KnownHosts, Key: s.Key, Timeout: Timeout}
}

// Start runs an sshd until the test ends.
func Start(t testing.TB) *Server {
	if _, err := os.Stat(SSHD); err != nil {
		testutil.Unavailable(t, "OpenSSH server "+SSHD+" (apt-get install openssh-server)", err)
		return nil
	}
	me, err := user.Current()
	require.NoError(t, err)
	if me.Uid == "0" {
		require.NoError(t, os.MkdirAll("/run/sshd", 0o755), "sshd's privilege separation directory")
	}
	dir := t.TempDir()
	hostPub := writeKey(t, filepath.Join(dir, "host_ed25519"))
	writeECDSAKey(t, filepath.Join(dir, "host_ecdsa"))
	clientPub, clientKey := NewKey(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(clientPub), 0o600))
	keyFile := filepath.Join(dir, "id_ed25519")
	require.NoError(t, os.WriteFile(keyFile, []byte(clientKey.Reveal()), 0o600))
	addr := startSSHD(t, dir)
	known := filepath.Join(dir, "known_hosts")
	require.NoError(t, os.WriteFile(known, []byte(KnownHostsLine(addr, hostPub)+"\n"), 0o600))
	files := filepath.Join(dir, "files")
	require.NoError(t, os.Mkdir(files, 0o700))
	return &Server{Addr: addr, User: me.Username, Dir: files, KnownHosts: known, Key: clientKey, KeyFile: keyFile, HostKey: hostPub}
}

// KnownHostsLine is the known_hosts line of key for addr.
func KnownHostsLine(addr string, key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(addr)}, key)
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

func writeECDSAKey(t testing.TB, path string) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(block), 0o600))
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
		"HostKey " + filepath.Join(dir, "host_ecdsa"),
		"HostKey " + filepath.Join(dir, "host_ed25519"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"StrictModes no",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password",
		"UsePAM no",
		"AllowTcpForwarding yes",
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
