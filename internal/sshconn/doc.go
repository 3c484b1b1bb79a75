// Package sshconn opens verified SSH connections: the one place that
// dials an SSH server, checks its host key against a known_hosts file and
// logs in with a private key or a password. Backup stores on SFTP
// (internal/backup/dest), file sources on SFTP (internal/source/remote)
// and database sources tunnelled through a bastion (Tunnel) all use it.
//
// Vocabulary: the server is the SSH server dialed; its host key is the
// public key it proves it holds during the handshake; known_hosts is the
// OpenSSH file that lists the host keys the user trusts (ssh-keyscan
// writes its lines). A host whose key is not listed is unknown; a host
// listed with other keys has changed. Both are refused before any
// credential is sent, and there is no option to skip the check.
//
// Errors say what failed (unreachable server, unknown or changed host key,
// refused login) with what to do about it, match ErrUnreachable,
// ErrHostUnknown, ErrHostChanged and ErrAuth with errors.Is, and never
// hold a secret. They do not name the caller's subject (a source, a
// store): the caller prefixes that.
package sshconn
