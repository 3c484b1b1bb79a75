// Package fastpath verifies records in Odoo's PostgreSQL database instead
// of reading them back over RPC, when the user gives a read-only DSN. It
// answers exactly what verify's RPC comparison answers, record by record,
// and reads only the records that differ.
//
// Vocabulary. A Record is one expected record: its external ID, the
// database id the ledger (or ir_model_data) holds for it, and the
// canonical value of each compared field (Want). A token is the byte
// string "<len>:<external ID><len>:<id><len>:<value>…"; a record's digest
// is the first 64 bits of the token's MD5, and a segment's digest is the
// exact sum of its records' digests with their count.
//
// The algorithm:
//
//  1. Place the fields (plan.go). The model's table is its name with dots
//     as underscores; ir_model_fields says how each field is stored. A
//     scalar or many2one field is a column of the table, or of the table
//     a one-hop related field reads through (product.product's name lives
//     in product_template, through product_tmpl_id); a many2many field is
//     its relation table's rows (relation_table, column1, column2). A
//     translated field is a jsonb column since Odoo 16, read in the
//     client's language with en_US as fallback, as Odoo reads it. Fields
//     the SQL cannot reproduce exactly — html (Odoo's sanitizer),
//     one2many (domains), company-dependent fields, binaries, many2many
//     with a domain, anything not stored — make the model go over RPC,
//     with the reason.
//  2. Canonicalize. Go renders the expected value with verify's own
//     canonicalization (verify.CanonicalScalar); the SQL reproduces it:
//     "" for NULL and the empty string of char and text, 0 for an empty
//     integer, false for an empty boolean, floats as verify's formatFloat
//     (Odoo's float_round at the field's digits: half away from zero
//     after a tiny epsilon, so 1.005 is 1.01; a zero has no sign; %.15g
//     when the digits are unknown) — the SQL rounds floor(|x| + ½) and
//     marks the values just below a tie, where the epsilon decides, and
//     those of 2^48 units or more — dates as
//     YYYY-MM-DD and datetimes as UTC YYYY-MM-DD HH:MM:SS (Odoo's read
//     drops microseconds), relations as the sorted database ids joined by
//     commas — an external ID resolves to an id only when verify's
//     Resolver names that id back to it, so relations match exactly when
//     verify's comparison by external ID matches. On res.partner the
//     fields Odoo copies from a parent company read as "" on contacts
//     that have one, as verify excuses them when the row leaves them
//     empty.
//  3. Digest. Sort the records by id. One query per level: the external
//     IDs go to PostgreSQL as an array with their bucket numbers; it
//     joins them to ir_model_data (so the ledger's mapping is checked,
//     not trusted), the model's table and the joined tables, builds each
//     token, and returns count and sum per bucket. Go computes the same
//     sums. Matching buckets are done: every record in them matches.
//  4. Descend. Each differing bucket is split into Fanout buckets, all of
//     a level in one query, until the differing buckets hold at most
//     LeafSize records in all, or half of a level differs (dense
//     differences: splitting would digest the same records again). Then
//     one query returns those records' digests one by one, and only the
//     records whose digest differs are read. A large query is split
//     between Workers connections whose transactions share one exported
//     snapshot (as pg_dump -j does).
//  5. Detail. Those records are read with their raw values (numeric as
//     float8, like Python's float(Decimal)) and compared in Go, field by
//     field, with verify's canonicalization and its rules
//     (ParentSynced), giving match, differ (with both canonical values)
//     or missing. So a digest mismatch that is not a real
//     difference (a stale ledger id, a value the SQL marks as beyond its
//     exact range) costs a read, never a false report; only a digest
//     collision could hide a difference (2^-64 per segment).
//
// All queries of a comparison run in REPEATABLE READ, READ ONLY
// transactions on one snapshot, with extra_float_digits = 0; Open also
// makes the sessions read-only. Expected records are held in memory in canonical
// form only (external ID, id, one string per field).
//
// A numeric column written behind the ORM's back with more decimals than
// the field's digits reads back over RPC as stored (Odoo 18 rounds on
// write, not on read: checked); verify rounds both sides at the digits, and
// so does the digest, so the two paths agree on it.
//
// Known limits: record rules and field access rights of the RPC user are
// not applied (the DSN sees all rows); models that name their own table,
// and related fields of more than one hop, go over RPC. Extra records are
// found by verify from ir_model_data, which Index reads in one query.
package fastpath
