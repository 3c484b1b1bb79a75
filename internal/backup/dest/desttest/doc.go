// Package desttest holds the conformance suite every backup store passes
// (Run) and the servers the tests store backups on: a real OpenSSH sshd on
// a loopback port with a temporary host key and authorized_keys (SFTP,
// started by internal/sshconn/sshtest), and an in-process S3 server over
// TLS (S3).
package desttest
