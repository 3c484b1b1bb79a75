// Package sshtest starts a real OpenSSH sshd on a loopback port for
// tests: fresh host keys, a fresh client key in its authorized_keys, the
// sftp subsystem and TCP forwarding (for tunnels). It needs
// /usr/sbin/sshd (Debian: openssh-server); without it a test is skipped,
// or fails under FERRY_INTEGRATION=1.
package sshtest
