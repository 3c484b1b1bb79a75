package sshconn_test

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/sshconn"
	"github.com/ferry-migrate/ferry/internal/sshconn/sshtest"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

func TestWithPort(t *testing.T) {
	for in, want := range map[string]string{"host": "host:22", "host:2222": "host:2222", "::1": "[::1]:22", "[::1]:2200": "[::1]:2200"} {
		require.Equal(t, want, sshconn.WithPort(in), in)
	}
}

// The server has an ECDSA and an Ed25519 host key and known_hosts lists
// only the Ed25519 one: the client must ask for that type (Go's default
// order would get the ECDSA key and call the host changed).
func TestIntegrationDialAsksForTheKnownKeyType(t *testing.T) {
	testutil.Integration(t)
	s := sshtest.Start(t)
	c, err := sshconn.Dial(context.Background(), s.Config())
	require.NoError(t, err)
	require.NoError(t, c.Close())
}

// Unverified hosts are refused before any credential is sent, with the
// offered key's fingerprint and the command that adds it.
func TestIntegrationDialRefusals(t *testing.T) {
	testutil.Integration(t)
	s := sshtest.Start(t)
	dir := t.TempDir()
	other, _ := sshtest.NewKey(t)
	changed := writeFile(t, filepath.Join(dir, "changed"), sshtest.KnownHostsLine(s.Addr, other))
	unknown := writeFile(t, filepath.Join(dir, "unknown"), sshtest.KnownHostsLine("192.0.2.1:22", other))
	_, port, _ := net.SplitHostPort(s.Addr)
	closed := freeAddr(t)
	_, wrongKey := sshtest.NewKey(t)
	cases := []struct {
		name   string
		change func(*sshconn.Config)
		kind   error
		want   []string
	}{
		{"unknown host", func(c *sshconn.Config) { c.KnownHosts = unknown }, sshconn.ErrHostUnknown,
			[]string{"the server's host key is not in " + unknown + ": refused", "SHA256:", "ssh-keyscan -p " + port + " 127.0.0.1 >> " + unknown}},
		{"changed key", func(c *sshconn.Config) { c.KnownHosts = changed }, sshconn.ErrHostChanged,
			[]string{"the server's host key differs from the one in " + changed + ": refused", "ssh-ed25519 key " + ssh.FingerprintSHA256(s.HostKey)}},
		{"missing known_hosts", func(c *sshconn.Config) { c.KnownHosts = filepath.Join(dir, "none") }, sshconn.ErrHostUnknown,
			[]string{"the known_hosts file " + filepath.Join(dir, "none") + " does not exist", "ssh-keyscan -p " + port}},
		{"no known_hosts", func(c *sshconn.Config) { c.KnownHosts = "" }, nil, []string{"a known_hosts file is required"}},
		{"wrong key", func(c *sshconn.Config) { c.Key = wrongKey }, sshconn.ErrAuth, []string{"the server refused the key or password of " + s.User}},
		{"no credentials", func(c *sshconn.Config) { c.Key = secret.String{} }, nil, []string{"give a private key or a password"}},
		{"unreadable key", func(c *sshconn.Config) { c.Key = secret.New("not a key") }, nil, []string{"the private key cannot be read"}},
		{"unreachable", func(c *sshconn.Config) { c.Addr = closed }, sshconn.ErrUnreachable, []string{"cannot reach the SSH server at " + closed}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := s.Config()
			tc.change(&c)
			_, err := sshconn.Dial(context.Background(), c)
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
			if tc.kind != nil {
				require.ErrorIs(t, err, tc.kind)
			}
			require.NotContains(t, err.Error(), s.Key.Reveal()[40:80], "no secret in the error")
		})
	}
}

// A tunnel reaches a service listening on the server's loopback, and says
// so when nothing listens there.
func TestIntegrationTunnel(t *testing.T) {
	testutil.Integration(t)
	s := sshtest.Start(t)
	echo := echoServer(t)
	tun, err := sshconn.OpenTunnel(context.Background(), s.Config())
	require.NoError(t, err)
	defer tun.Close()
	require.Equal(t, "ssh://"+s.User+"@"+s.Addr, tun.String())

	conn, err := tun.DialContext(context.Background(), "tcp", echo)
	require.NoError(t, err)
	_, err = conn.Write([]byte("ferry"))
	require.NoError(t, err)
	buf := make([]byte, 5)
	_, err = io.ReadFull(conn, buf)
	require.NoError(t, err)
	require.Equal(t, "ferry", string(buf))
	require.NoError(t, conn.Close())

	closed := freeAddr(t)
	_, err = tun.DialContext(context.Background(), "tcp", closed)
	require.ErrorContains(t, err, "the SSH server "+tun.String()+" cannot reach "+closed)
	require.NoError(t, tun.Close())
	require.NoError(t, tun.Close(), "closing twice is fine")
}

func writeFile(t *testing.T, path, line string) string {
	require.NoError(t, os.WriteFile(path, []byte(line+"\n"), 0o600))
	return path
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func echoServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); c.Close() }()
		}
	}()
	return l.Addr().String()
}
