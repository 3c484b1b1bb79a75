package plan_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/plan"
)

// A source's ssh: (SFTP login or database tunnel) takes its secrets by
// reference only; literal ones, and a password in an sftp:// URL, are
// findings that do not quote the secret.
func TestParseSourceSSH(t *testing.T) {
	sftp := `s: {kind: csv, path: "sftp://ann@files.example.com/exports", ssh: {known_hosts: ~/.ssh/known_hosts, private_key: {file: ~/.ssh/id_ed25519}}}`
	p, ds := plan.Parse([]byte(strings.Replace(good, `s: {kind: csv, path: .}`, sftp, 1)), "plan.yaml")
	require.Empty(t, ds)
	require.Equal(t, "~/.ssh/id_ed25519", p.Sources["s"].SSH.PrivateKey.File)

	tunnel := `s: {kind: postgres, dsn: {env: DSN}, ssh: {host: "bastion.example.com:2222", user: ann, password: {env: BASTION_PASSWORD}}}`
	p, ds = plan.Parse([]byte(strings.Replace(good, `s: {kind: csv, path: .}`, tunnel, 1)), "plan.yaml")
	require.Empty(t, ds)
	require.Equal(t, "bastion.example.com:2222", p.Sources["s"].SSH.Host)

	for _, bad := range []string{
		`s: {kind: csv, path: "sftp://ann@h/x", ssh: {private_key: "-----BEGIN OPENSSH PRIVATE KEY-----s3cret"}}`,
		`s: {kind: csv, path: "sftp://ann@h/x", ssh: {password: s3cret}}`,
		`s: {kind: csv, path: "sftp://ann:s3cret@h/x"}`,
		`s: {kind: postgres, dsn: {env: D}, ssh: {host: b, user: u, passphrase: s3cret}}`,
	} {
		_, ds := plan.Parse([]byte(strings.Replace(good, `s: {kind: csv, path: .}`, bad, 1)), "plan.yaml")
		require.NotEmpty(t, ds, bad)
		require.Equal(t, "CFG102", ds[0].Code, bad)
		for _, d := range ds {
			require.NotContains(t, d.Msg+d.Hint, "s3cret", bad)
		}
	}
	_, ds = plan.Parse([]byte(strings.Replace(good, `s: {kind: csv, path: .}`, `s: {kind: csv, path: ., ssh: {key: {file: k}}}`, 1)), "plan.yaml")
	require.NotEmpty(t, ds)
	require.Contains(t, ds[0].Msg, `unknown key "key"`)
}
