// Package remote holds the file systems a file source (csv, xlsx) reads
// from when its files are not on the machine: SFTP, a directory tree on
// an SSH server reached through internal/sshconn (host key checked
// against known_hosts, key or password login).
//
// A remote file is streamed every time a source opens it (for the
// encoding detection, the schema, each scan and the digest); nothing is
// copied to the local disk. Names are remote paths: absolute, or relative
// to the login directory. Where names a file in errors and positions as
// sftp://user@host:port/path (a relative path as /~/path), never with a
// secret.
package remote
