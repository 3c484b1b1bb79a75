package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// IntegrationEnv is the variable that makes integration tests mandatory.
const IntegrationEnv = "FERRY_INTEGRATION"

// Integration marks t as an integration test. With FERRY_INTEGRATION=1 the
// test must run; without it the test is skipped when reason() says a
// service is missing. Call it first in every TestIntegration… test.
func Integration(t testing.TB) {
	t.Helper()
	if testing.Short() && os.Getenv(IntegrationEnv) == "" {
		t.Skip("integration test skipped in -short mode")
	}
}

// Required reports whether integration services are mandatory (CI).
func Required() bool { return os.Getenv(IntegrationEnv) == "1" }

// Unavailable fails the test in CI and skips it elsewhere, with the reason.
func Unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if Required() {
		t.Fatalf("%s is required (FERRY_INTEGRATION=1) but unavailable: %v", what, err)
	}
	t.Skipf("%s unavailable: %v", what, err)
}

// PostgresURL is the machine's PostgreSQL, overridable with FERRY_TEST_PG.
func PostgresURL() string {
	if v := os.Getenv("FERRY_TEST_PG"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// MariaDBDSN is the machine's MariaDB in go-sql-driver form, overridable
// with FERRY_TEST_MARIADB.
func MariaDBDSN() string {
	if v := os.Getenv("FERRY_TEST_MARIADB"); v != "" {
		return v
	}
	return "root@tcp(127.0.0.1:3306)/test?parseTime=true"
}

// Ping opens driver/dsn and pings it within five seconds.
func Ping(driver, dsn string) (*sql.DB, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// UniqueName returns prefix plus random hex, usable as a database or table name.
func UniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s_%s", prefix, hex.EncodeToString(b))
}

// FullDisk returns a directory on a tiny file system of size bytes (a
// tmpfs mounted for the test), so that writes fail with "no space left on
// device". Mounting needs root; without it the test is skipped (or fails
// under FERRY_INTEGRATION=1).
func FullDisk(t testing.TB, size int) string {
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		Unavailable(t, "a tmpfs mount (root)", fmt.Errorf("%v: %s", err, out))
		return ""
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	return dir
}
