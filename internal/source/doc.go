// Package source defines how Ferry reads rows: the Source interface, the
// Spec of a source in a plan (kind, path or DSN, transport options), the
// Select of an entity (table, query, file, sheet), and Open, which builds
// the right connector. SSH is a source's ssh: (the login to an SFTP server
// of files, or the bastion a database is tunnelled through); FS is where
// file sources read their files, the local disk (Local) or an SFTP server
// (package remote). Connectors live in subpackages (csv, xlsx, sqldb,
// odoo); every one passes the conformance suite in sourcetest.
//
// Sources are read-only and streaming: Scan never holds a whole table or
// file in memory, and a database source reads inside a read-only
// transaction with keyset pagination.
package source
