// Package contract holds the contract suite of Ferry's Odoo client: one
// set of tests run against the sandbox (as Odoo 18 and as Odoo 19) on every
// test run, and against a real Odoo whenever FERRY_TEST_ODOO_URL,
// FERRY_TEST_ODOO_DB, FERRY_TEST_ODOO_LOGIN and FERRY_TEST_ODOO_PASSWORD or
// FERRY_TEST_ODOO_API_KEY are set. The suite logs in as a user whose time
// zone is not UTC (an unset tz would hide a missing tz: UTC in the
// context), and it replays the exchanges recorded from real Odoo 18 and 19
// servers (testdata/) against the sandbox in the matching mode.
//
// The access checks (access_test.go) also log in as an administrator
// (FERRY_TEST_ODOO_ADMIN_LOGIN and _ADMIN_PASSWORD or _ADMIN_API_KEY) and as
// an internal user without administration rights
// (FERRY_TEST_ODOO_RESTRICTED_LOGIN and _RESTRICTED_PASSWORD or
// _RESTRICTED_API_KEY); on a real Odoo they are skipped when those are not
// set. On the sandbox these are admin and a user marked Restricted.
//
// The package has no code outside its tests.
package contract
