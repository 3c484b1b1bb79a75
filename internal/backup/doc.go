// Package backup takes, verifies and restores encrypted backups of an Odoo
// database and its filestore. The archive format is specified in
// docs/design/backup.md.
//
// Vocabulary: a backup has an id ("b" + UTC time) and consists of parts
// (dump.pgc.age: pg_dump's custom format; filestore.tar.age: the filestore
// as a tar) and a manifest (manifest.json with its SHA-256 and, optionally,
// an Ed25519 signature). A store (package dest) holds full copies: a local
// directory, SFTP or S3. Create streams pg_dump's output and the filestore
// through SHA-256 and age into every store at once, never holding a dump in
// memory, and records every table's row count in the snapshot it dumps.
// Verify re-reads one copy and names the store and part that is wrong
// (CorruptError); a restore test restores into a scratch database and
// compares row counts with the manifest. The package never prints.
package backup
