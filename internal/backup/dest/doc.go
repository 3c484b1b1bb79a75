// Package dest holds the stores a backup is written to and read from: a
// local directory (Local), a directory on an SFTP server (OpenSFTP) and a
// prefix in an S3-compatible bucket (OpenS3). A store knows nothing of the
// archive format: it holds files named "<id>/<file>", writes each through a
// Writer that only makes the file visible on Commit, lists the ids and
// removes an id with everything under it. Remote stores are encrypted and
// verified: SFTP checks the server's host key against a known_hosts file,
// S3 uses TLS except on a loopback address. Credentials arrive as
// secret.String and never appear in errors or in a store's String.
package dest
