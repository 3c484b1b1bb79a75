package desttest

import (
	"context"
	"crypto/x509"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// S3ServerName says which S3 server the tests use.
const S3ServerName = "gofakes3 v1.2.0 (in-process, in memory, over TLS)"

// S3Server starts an in-process S3 server over TLS on a loopback port with
// one bucket, and returns a config that trusts its certificate.
func S3Server(t testing.TB) dest.S3Config {
	backend := s3mem.New()
	require.NoError(t, backend.CreateBucket("ferry-backups"))
	srv := httptest.NewTLSServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	t.Logf("S3 server: %s at %s", S3ServerName, srv.URL)
	return dest.S3Config{
		Endpoint:  strings.TrimPrefix(srv.URL, "https://"),
		Bucket:    "ferry-backups",
		Prefix:    "prod/odoo",
		Region:    "us-east-1",
		AccessKey: secret.New("test-access-key"),
		SecretKey: secret.New("test-secret-key"),
		RootCAs:   pool,
	}
}

// OpenS3 starts S3Server and opens a store on it.
func OpenS3(t testing.TB) *dest.S3 {
	s, err := dest.OpenS3(context.Background(), S3Server(t))
	require.NoError(t, err)
	return s
}

// OpenSFTP starts SFTPServer and opens a store on it; nil when sshd is
// unavailable and the test was skipped.
func OpenSFTP(t testing.TB) *dest.SFTP {
	c := SFTPServer(t)
	if c.Addr == "" {
		return nil
	}
	c.Timeout = waitTimeout
	s, err := dest.OpenSFTP(context.Background(), c)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}
