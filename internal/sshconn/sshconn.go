package sshconn

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// Config says which SSH server to reach and how to log in. The server's
// host key must be listed in KnownHosts; there is no way to skip that.
type Config struct {
	Addr          string        // host or host:port (port 22 when omitted)
	User          string        // login
	KnownHosts    string        // known_hosts file (ssh-keyscan -p PORT HOST >> FILE)
	Key           secret.String // private key (OpenSSH or PEM text); or
	KeyPassphrase secret.String // passphrase of Key, if it has one
	Password      secret.String // password, tried after Key
	Timeout       time.Duration // connection and handshake timeout (default 30 s)
	KeepAlive     time.Duration // interval of keep-alive requests (default 30 s; negative: none)
}

// Sentinels that Dial's errors match with errors.Is.
var (
	ErrUnreachable = errors.New("sshconn: the SSH server cannot be reached")
	ErrHostUnknown = errors.New("sshconn: the server's host key is not in known_hosts")
	ErrHostChanged = errors.New("sshconn: the server's host key differs from known_hosts")
	ErrAuth        = errors.New("sshconn: the server refused the credentials")
)

// Error is a failed connection. Its message says what failed and what to
// do; it matches its Kind (one of the sentinels, or nil) and unwraps to
// its cause. It never holds a secret.
type Error struct {
	Kind  error
	Msg   string
	Cause error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the kind and the cause, those that are set.
func (e *Error) Unwrap() []error {
	var out []error
	for _, err := range []error{e.Kind, e.Cause} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// DefaultKnownHosts is the user's OpenSSH known_hosts, ~/.ssh/known_hosts.
func DefaultKnownHosts() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".ssh", "known_hosts")
}

// WithPort returns addr with port 22 when it names none.
func WithPort(addr string) string {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return net.JoinHostPort(strings.Trim(addr, "[]"), "22")
	}
	return addr
}

// Dial connects to the server, verifies its host key and logs in. The
// client sends keep-alive requests until it is closed.
func Dial(ctx context.Context, c Config) (*ssh.Client, error) {
	c.Addr = WithPort(c.Addr)
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = 30 * time.Second
	}
	known, err := readKnownHosts(c)
	if err != nil {
		return nil, err
	}
	auth, err := authMethods(c)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: c.Timeout}
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return nil, &Error{Kind: ErrUnreachable, Msg: fmt.Sprintf("cannot reach the SSH server at %s: %v", c.Addr, cause(err)), Cause: err}
	}
	v := &verifier{known: known, file: c.KnownHosts}
	conf := &ssh.ClientConfig{User: c.User, Auth: auth, HostKeyCallback: v.check, Timeout: c.Timeout,
		HostKeyAlgorithms: v.algorithms(c.Addr, conn.RemoteAddr())}
	_ = conn.SetDeadline(time.Now().Add(c.Timeout))
	sc, chans, reqs, err := ssh.NewClientConn(conn, c.Addr, conf)
	if err != nil {
		conn.Close()
		return nil, describe(c, v, err)
	}
	_ = conn.SetDeadline(time.Time{})
	client := ssh.NewClient(sc, chans, reqs)
	if c.KeepAlive > 0 {
		go keepAlive(client, c.KeepAlive)
	}
	return client, nil
}

// cause drops the operation prefix of a dial error ("dial tcp …: ").
func cause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

func readKnownHosts(c Config) (ssh.HostKeyCallback, error) {
	if c.KnownHosts == "" {
		return nil, &Error{Msg: "a known_hosts file is required to verify the server's host key"}
	}
	known, err := knownhosts.New(c.KnownHosts)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Kind: ErrHostUnknown, Cause: err, Msg: fmt.Sprintf("the known_hosts file %s does not exist: "+
			"check the server's host key fingerprint with its administrator, then add it: %s", c.KnownHosts, keyscan(c.Addr, c.KnownHosts))}
	}
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("read known_hosts %s: %v", c.KnownHosts, err), Cause: err}
	}
	return known, nil
}

// keyscan is the command that appends the server's host keys to file.
func keyscan(addr, file string) string {
	host, port, _ := net.SplitHostPort(addr)
	if port == "22" {
		return fmt.Sprintf("ssh-keyscan %s >> %s", host, file)
	}
	return fmt.Sprintf("ssh-keyscan -p %s %s >> %s", port, host, file)
}

func authMethods(c Config) ([]ssh.AuthMethod, error) {
	var auth []ssh.AuthMethod
	if !c.Key.IsZero() {
		signer, err := ParseKey(c.Key, c.KeyPassphrase)
		if err != nil {
			return nil, &Error{Msg: err.Error()}
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if !c.Password.IsZero() {
		auth = append(auth, ssh.Password(c.Password.Reveal()))
	}
	if len(auth) == 0 {
		return nil, &Error{Msg: "give a private key or a password"}
	}
	return auth, nil
}

// ParseKey reads a private key (OpenSSH or PEM), with its passphrase when
// it has one. Errors say what is wrong without quoting the key.
func ParseKey(key, pass secret.String) (ssh.Signer, error) {
	if pass.IsZero() {
		signer, err := ssh.ParsePrivateKey([]byte(key.Reveal()))
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			return nil, errors.New("the private key is encrypted: give its passphrase")
		}
		if err != nil {
			return nil, errors.New("the private key cannot be read (OpenSSH or PEM format expected)")
		}
		return signer, nil
	}
	signer, err := ssh.ParsePrivateKeyWithPassphrase([]byte(key.Reveal()), []byte(pass.Reveal()))
	if err != nil {
		return nil, errors.New("the private key cannot be read with that passphrase")
	}
	return signer, nil
}

// verifier checks the host key against known_hosts and remembers the key
// the server offered, for the error message.
type verifier struct {
	known   ssh.HostKeyCallback
	file    string
	offered ssh.PublicKey
}

func (v *verifier) check(host string, remote net.Addr, key ssh.PublicKey) error {
	v.offered = key
	return v.known(host, remote, key)
}

// algorithms restricts the handshake to the key types known_hosts lists
// for the server, so that a server with several host keys shows one the
// file holds (Go prefers ECDSA and RSA to Ed25519, OpenSSH the reverse).
// For an unknown server it returns nil: any key type, refused anyway.
func (v *verifier) algorithms(addr string, remote net.Addr) []string {
	_, probe, _ := ed25519.GenerateKey(nil)
	pub, err := ssh.NewPublicKey(probe.Public())
	if err != nil {
		return nil
	}
	var keyErr *knownhosts.KeyError
	if !errors.As(v.known(addr, remote, pub), &keyErr) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range keyErr.Want {
		algos := []string{k.Key.Type()}
		if k.Key.Type() == ssh.KeyAlgoRSA {
			algos = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
		}
		for _, a := range algos {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// describe turns a handshake error into one that says what to do.
func describe(c Config, v *verifier, err error) error {
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	switch {
	case errors.As(err, &keyErr) && len(keyErr.Want) > 0:
		return &Error{Kind: ErrHostChanged, Cause: err, Msg: fmt.Sprintf("the server's host key differs from the one in %s: refused "+
			"(the server changed or someone is in between; it offered %s; if its administrator confirms the change, "+
			"replace the line of %s in that file)", c.KnownHosts, fingerprint(v.offered), c.Addr)}
	case errors.As(err, &keyErr):
		return &Error{Kind: ErrHostUnknown, Cause: err, Msg: fmt.Sprintf("the server's host key is not in %s: refused "+
			"(it offered %s; check that fingerprint with the server's administrator, then add the key: %s)",
			c.KnownHosts, fingerprint(v.offered), keyscan(c.Addr, c.KnownHosts))}
	case errors.As(err, &revoked):
		return &Error{Kind: ErrHostChanged, Cause: err, Msg: fmt.Sprintf("the server's host key is marked @revoked in %s: refused", c.KnownHosts)}
	case strings.Contains(err.Error(), "unable to authenticate"):
		return &Error{Kind: ErrAuth, Cause: err, Msg: fmt.Sprintf("the server refused the key or password of %s", c.User)}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &Error{Kind: ErrUnreachable, Cause: err, Msg: fmt.Sprintf("the SSH server at %s did not complete the handshake within %s", c.Addr, c.Timeout)}
	}
	return &Error{Cause: err, Msg: fmt.Sprintf("SSH handshake with %s: %v", c.Addr, err)}
}

// fingerprint is "ssh-ed25519 key SHA256:…", or "a key" when unknown.
func fingerprint(k ssh.PublicKey) string {
	if k == nil {
		return "a key"
	}
	return k.Type() + " key " + ssh.FingerprintSHA256(k)
}

// keepAlive sends a keep-alive request every interval, so that idle
// connections (a tunnel between pages) are not dropped by firewalls,
// until the connection ends.
func keepAlive(c *ssh.Client, every time.Duration) {
	done := make(chan struct{})
	go func() {
		_ = c.Wait()
		close(done)
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if _, _, err := c.SendRequest("keepalive@openssh.com", true, nil); err != nil {
				return
			}
		}
	}
}
