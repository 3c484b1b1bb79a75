// Package sqldb reads tables and queries of PostgreSQL (pgx), MySQL and
// MariaDB (go-sql-driver) and SQLite (modernc) databases.
//
// A table (optionally schema.table) is read in primary-key order with
// keyset pagination: each page is one read-only transaction reading the
// rows after the last key delivered, so no lock is held between pages and
// a scan resumes exactly after a record's Position.Cursor, the JSON array
// of its key (integers exact beyond 2^53, times in RFC 3339, bytes as
// {"b64": …}; for SQLite the stored values, which is what the table
// compares). A table without a primary key is refused: read it with a
// query. A query is read in its own order in one read-only transaction
// and resumes by skipping Position.Row rows, so it should order its rows.
//
// Values follow the Schema's column types: int64, float64, decimals as
// exact strings, bool (MySQL's tinyint(1) included), time.Time, []byte,
// string, nil for NULL. SQLite columns take their type from the declared
// type by SQLite's affinity rules; a stored value that does not fit it is
// passed on as read with Record.Problem set, never dropped.
//
// The DSN is a secret: errors name the source and table, never the DSN,
// and say whether the server was unreachable, refused the credentials or
// lacks the database. A connection to a host outside loopback must be
// encrypted: a DSN that does not say gets verified TLS (sslmode=verify-full,
// tls=true), opportunistic modes that may fall back to plain text
// (sslmode=prefer or allow, tls=preferred) are refused, and a DSN that
// disables TLS explicitly (sslmode=disable, tls=false) is accepted and
// reported by Source.Warning.
//
// OpenWith takes a Tunnel (an SSH tunnel through a bastion) that carries
// every connection; host names in the DSN are then resolved by the bastion
// and "loopback" means the bastion itself, so the TLS rule above applies
// to the hop from the bastion to the database.
package sqldb
