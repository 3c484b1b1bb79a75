// Package sqldb reads tables and queries of PostgreSQL, MySQL/MariaDB and
// SQLite databases. A table is read in primary-key order with keyset
// pagination, so a scan resumes exactly after the last key it delivered
// (Position.Cursor holds it as JSON); a query is read in its own order and
// resumes by row count. Values keep their types (int64, float64, decimals
// as exact strings, bool, time.Time, []byte, nil). Reads run in read-only
// transactions. The DSN is a secret: errors name the source, never the DSN,
// and a connection to a host outside loopback must be encrypted.
package sqldb
