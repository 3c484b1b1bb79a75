// Package testutil has helpers shared by tests: Integration gates tests that
// need the machine's PostgreSQL or MariaDB (a failure in CI, where
// FERRY_INTEGRATION=1, a skip with a reason elsewhere), DSNs for those
// servers, and scratch databases that disappear with the test.
package testutil
