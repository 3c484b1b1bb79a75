// Package golden holds Ferry's golden cases: small migrations whose
// `ferry validate` outputs are kept byte for byte and compared on every
// test run. The package has no code of its own, only tests and testdata.
//
// A case is a directory testdata/<case>/ with:
//
//   - README.md: one line saying what the case shows;
//   - plan.yaml: the plan, which names its offline schema with
//     target.schema (schema.json: the recorded Odoo 18 fields_get the
//     sandbox is built from, written by the test unless the case brings
//     its own);
//   - input files (CSV, XLSX, gzip, value-map files) beside the plan;
//   - for database sources, the data as SQL: postgres.sql and mysql.sql are
//     loaded into a fresh database on the machine's PostgreSQL and MariaDB
//     (the plan reads its DSN from GOLDEN_PG_DSN or GOLDEN_MYSQL_DSN),
//     sqlite.sql into sqlite.db beside the plan;
//   - for an odoo source, odoo.json: records created in a fresh in-process
//     sandbox (the plan names it with ${ODOO_URL} and ${ODOO_DB}, its key
//     with {env: GOLDEN_ODOO_KEY});
//   - for files on an SFTP server, sftp/: copied to a loopback sshd (the
//     plan names it with ${SFTP_URL}, ${SFTP_KEY}, ${SFTP_KNOWN_HOSTS});
//   - expected/: what validate wrote into its quarantine directory (the
//     <entity>.csv files and summary.json), its exit code (exit) and what
//     it printed on stderr (stderr.txt, when it printed anything).
//
// A case named rehearse_* runs `ferry run --rehearse` instead, into a
// sandbox built from the schema, for the findings only a target gives
// (lookups resolved, Odoo's refusals); its expected/ keeps the quarantine
// files and the exit code (its summary and stderr hold run IDs and
// timings). A case named bug_* shows a known bug: its expected/ holds what
// Ferry should produce, and the test skips it with the bug's description
// (knownBugs) until the bug is fixed; it counts for no coverage.
//
// Outputs are compared after replacing only what must vary between runs:
// the temporary directory the case runs in ($CASE, $OUT, $WORK), the SFTP
// server's address and directory, and, for a plan with ${…} placeholders,
// the plan's digest ($PLAN_SHA256). An output file over 64 KiB is kept as
// <name>.sha256 (its digest and size) instead of its bytes.
//
// Run the cases with `go test ./internal/golden/`; cases that need
// PostgreSQL, MariaDB or sshd run in TestIntegrationGolden and are skipped
// with a reason when the service is missing (a failure under
// FERRY_INTEGRATION=1). After a deliberate change of Ferry's output,
// rewrite expected/ with `go test ./internal/golden/ -update` and review
// the diff before committing it.
//
// The coverage tests fail when a finding code of diag.Codes appears in no
// case's expected outputs (codes that cannot arise in validate are listed
// with the reason and the test that covers them), when a function of the
// expression library, a rule kind, a duplicate normalization or a source
// kind is used by no case. The dirty-corpus test checks, per entity of the
// dirty_* cases, read = would load + unchanged + quarantined + skipped
// with the counts it expects.
package golden
