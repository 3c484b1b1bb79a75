// Package backup takes, verifies and restores encrypted backups of an Odoo
// database: pg_dump (custom format) streamed through SHA-256 and age
// encryption into a directory, never held in memory, with a manifest of
// every part's plaintext and ciphertext digests and of every table's row
// count at backup time. Verify re-reads each part, checks both digests and
// names the part that is wrong; a restore test restores into a scratch
// database and compares row counts with the manifest. The archive format
// is described in docs/design/backup.md.
package backup
