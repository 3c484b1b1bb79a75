// Package security audits how exposed a migration's target and sources
// are, before anything moves: for an Odoo target, whether its version is
// still supported, its transport and certificate, whether the database
// manager is reachable or unprotected, whether admin still has the default
// password (one attempt, never more), how many users hold administration
// rights, two-factor authentication, API keys without expiry, demo data,
// and whether a test copy could still send mail or run scheduled actions;
// for sources, unencrypted database connections, superuser credentials and
// export files others can read.
//
// Every check yields one Finding: passed, failed (with a severity, the
// evidence and the fix) or not checked (naming the right it needs — a
// check never passes for lack of rights). The package reads only; it
// never posts a master password and never writes to Odoo.
package security
