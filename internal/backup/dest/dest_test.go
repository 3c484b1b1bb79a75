package dest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/backup/dest/desttest"
	"github.com/ferry-migrate/ferry/internal/secret"
)

func TestLocal(t *testing.T) {
	desttest.Run(t, dest.Local{Dir: t.TempDir()})
}

func TestIntegrationSFTP(t *testing.T) {
	s := desttest.OpenSFTP(t)
	desttest.Run(t, s)
}

func TestIntegrationS3(t *testing.T) {
	desttest.Run(t, desttest.OpenS3(t))
}

// The host key is verified: an unknown key, a changed key and a missing
// known_hosts file are refused before any credential is sent.
func TestIntegrationSFTPRefusesUnverifiedHosts(t *testing.T) {
	c := desttest.SFTPServer(t)
	other := filepath.Join(t.TempDir(), "known_hosts")
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"))
	require.NoError(t, err)
	changed := filepath.Join(t.TempDir(), "known_hosts")
	require.NoError(t, os.WriteFile(changed, []byte(knownhosts.Line([]string{knownhosts.Normalize(c.Addr)}, pub)+"\n"), 0o600))
	require.NoError(t, os.WriteFile(other, []byte(knownhosts.Line([]string{"[192.0.2.1]:22"}, pub)+"\n"), 0o600))
	for _, tc := range []struct {
		name, known, want string
	}{
		{"unknown host", other, "host key is not in " + other + ": refused"},
		{"changed key", changed, "host key differs from the one in " + changed},
		{"no known_hosts", "", "a known_hosts file is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c
			c.KnownHosts = tc.known
			_, err := dest.OpenSFTP(context.Background(), c)
			require.ErrorContains(t, err, tc.want)
		})
	}
	t.Run("wrong key", func(t *testing.T) {
		c := c
		_, c.Key = desttest.NewKey(t)
		_, err := dest.OpenSFTP(context.Background(), c)
		require.ErrorContains(t, err, "the server refused the key or password of "+c.User)
	})
}

func TestS3RefusesPlainHTTPOutsideLoopback(t *testing.T) {
	_, err := dest.OpenS3(context.Background(), dest.S3Config{Endpoint: "s3.example.com", Bucket: "b", PlainHTTP: true,
		AccessKey: secret.New("a"), SecretKey: secret.New("s")})
	require.ErrorContains(t, err, "plain HTTP is allowed only on a loopback address")
}

func TestIntegrationS3MissingBucket(t *testing.T) {
	c := desttest.S3Server(t)
	c.Bucket = "no-such-bucket"
	_, err := dest.OpenS3(context.Background(), c)
	require.ErrorContains(t, err, "bucket no-such-bucket does not exist")
}
