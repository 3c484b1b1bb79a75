package sshconn

import (
	"context"
	"errors"
	"fmt"
	"net"

	"golang.org/x/crypto/ssh"
)

// Tunnel forwards connections through an SSH server (a bastion): each
// DialContext asks the server to open a connection to an address as the
// server sees it (a host name is resolved by the server, "localhost" is
// the server itself). The traffic between Ferry and the server is
// encrypted by SSH; beyond the server it is whatever the protocol is.
type Tunnel struct {
	client *ssh.Client
	name   string
}

// OpenTunnel connects to the bastion c names (see Dial).
func OpenTunnel(ctx context.Context, c Config) (*Tunnel, error) {
	client, err := Dial(ctx, c)
	if err != nil {
		return nil, err
	}
	return &Tunnel{client: client, name: "ssh://" + c.User + "@" + WithPort(c.Addr)}, nil
}

// DialContext opens a connection to addr from the bastion; network is
// tcp (tcp4, tcp6) or unix (a socket on the bastion). Its signature is
// the one database drivers take (pgconn.Config.DialFunc,
// mysql.Config.DialFunc). Errors say whether the bastion refused to
// forward or could not reach addr.
func (t *Tunnel) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := t.client.DialContext(ctx, network, addr)
	if err == nil {
		return conn, nil
	}
	var oe *ssh.OpenChannelError
	switch {
	case errors.As(err, &oe) && oe.Reason == ssh.Prohibited:
		return nil, fmt.Errorf("the SSH server %s does not allow forwarding (AllowTcpForwarding in its sshd_config): %w", t, err)
	case errors.As(err, &oe):
		return nil, fmt.Errorf("the SSH server %s cannot reach %s: %w", t, addr, err)
	}
	return nil, fmt.Errorf("through the SSH server %s to %s: %w", t, addr, err)
}

// String is ssh://user@host:port.
func (t *Tunnel) String() string { return t.name }

// Close ends the SSH connection and every connection through it; it is
// safe to call twice.
func (t *Tunnel) Close() error {
	err := t.client.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
