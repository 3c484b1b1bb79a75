package source

import "github.com/ferry-migrate/ferry/internal/secret"

// SSH is the `ssh:` of a source: how to reach it over SSH. For a csv or
// xlsx source whose path is an sftp:// URL it logs in to that SFTP server
// (the URL names the host and the user); for a postgres or mysql source it
// names the bastion the database connection is tunnelled through, and the
// DSN names the database host as the bastion sees it. The server's host
// key must be in KnownHosts. Relative file names resolve against the
// plan's directory and ~/ against the home directory.
type SSH struct {
	Host       string     `yaml:"host,omitempty" json:"host,omitempty"`               // postgres, mysql: the bastion, host or host:port (port 22)
	User       string     `yaml:"user,omitempty" json:"user,omitempty"`               // login (csv, xlsx: when the sftp:// URL names none)
	KnownHosts string     `yaml:"known_hosts,omitempty" json:"known_hosts,omitempty"` // known_hosts file; default ~/.ssh/known_hosts
	PrivateKey secret.Ref `yaml:"private_key,omitempty" json:"private_key,omitempty"` // private key, by reference: {file: ~/.ssh/id_ed25519}
	Passphrase secret.Ref `yaml:"passphrase,omitempty" json:"passphrase,omitempty"`   // the private key's passphrase, by reference
	Password   secret.Ref `yaml:"password,omitempty" json:"password,omitempty"`       // password, by reference (tried after the key)
}
