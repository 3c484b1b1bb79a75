// Package contract holds the contract suite of Ferry's Odoo client: one
// set of tests run against the sandbox (as Odoo 18 and as Odoo 19) on every
// test run, and against a real Odoo whenever FERRY_TEST_ODOO_URL,
// FERRY_TEST_ODOO_DB, FERRY_TEST_ODOO_LOGIN and FERRY_TEST_ODOO_PASSWORD or
// FERRY_TEST_ODOO_API_KEY are set. The suite logs in as a user whose time
// zone is not UTC (an unset tz would hide a missing tz: UTC in the
// context), and it replays the exchanges recorded from real Odoo 18 and 19
// servers (testdata/) against the sandbox in the matching mode.
//
// The package has no code outside its tests.
package contract
