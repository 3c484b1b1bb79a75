package open

import (
	"bytes"
	"compress/gzip"
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/csv"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
	"github.com/ferry-migrate/ferry/internal/sshconn/sshtest"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// sftpServer starts the loopback sshd with export files in a directory
// on it, and returns it with a spec that reads that directory.
func sftpServer(t *testing.T) (*sshtest.Server, source.Spec) {
	testutil.Integration(t)
	s := sshtest.Start(t)
	exports := filepath.Join(s.Dir, "exports")
	require.NoError(t, os.MkdirAll(filepath.Join(exports, "old"), 0o700))
	require.NoError(t, os.MkdirAll(filepath.Join(exports, "enc"), 0o700))
	for name, body := range map[string][]byte{
		"a.csv":     []byte("id;name\n1;Zoë\n2;Bob\n"),
		"b.csv.gz":  gz(t, "name;id\nEve;3\n"),
		"notes.md":  []byte("not a table"),
		"old/c.csv": []byte("id;name\n9;Old\n"),
		"enc/w.csv": []byte("id,name\n1,Ren\xe9\n"),
	} {
		require.NoError(t, os.WriteFile(filepath.Join(exports, name), body, 0o600))
	}
	f := excelize.NewFile()
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"id", "name"}))
	require.NoError(t, f.SetSheetRow("Sheet1", "A2", &[]any{10, "Zoë"}))
	require.NoError(t, f.SetSheetRow("Sheet1", "A3", &[]any{20, "Bob"}))
	require.NoError(t, f.SaveAs(filepath.Join(exports, "book.xlsx")))
	spec := source.Spec{Kind: "csv", Path: "sftp://" + s.User + "@" + s.Addr + exports,
		SSH: &source.SSH{KnownHosts: s.KnownHosts, PrivateKey: secret.Ref{File: s.KeyFile}}}
	return s, spec
}

func gz(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

func openOrFail(t *testing.T, spec source.Spec, sel source.Select) source.Source {
	t.Helper()
	s, err := Open(context.Background(), "legacy", spec, sel, t.TempDir())
	require.NoError(t, err)
	return s
}

// Files on an SFTP server read like local ones: a file, a gzipped file, a
// directory (its tables, in name order) and a glob, csv and xlsx, each
// passing the conformance suite.
func TestIntegrationSFTPConformance(t *testing.T) {
	_, spec := sftpServer(t)
	xlsxSpec := spec
	xlsxSpec.Kind = "xlsx"
	cases := []struct {
		name string
		spec source.Spec
		sel  source.Select
		want [][]any
	}{
		{"file", spec, source.Select{File: "a.csv"}, [][]any{{"1", "Zoë"}, {"2", "Bob"}}},
		{"gzip", spec, source.Select{File: "b.csv.gz"}, [][]any{{"Eve", "3"}}},
		{"directory", spec, source.Select{}, [][]any{{"1", "Zoë"}, {"2", "Bob"}, {"3", "Eve"}}},
		{"glob", spec, source.Select{File: "*.csv*"}, [][]any{{"1", "Zoë"}, {"2", "Bob"}, {"3", "Eve"}}},
		{"windows-1252", spec, source.Select{File: "enc/w.csv"}, [][]any{{"1", "René"}}},
		{"xlsx", xlsxSpec, source.Select{File: "book.xlsx"}, [][]any{{int64(10), "Zoë"}, {int64(20), "Bob"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sourcetest.Run(t, func(t *testing.T) source.Source { return openOrFail(t, tc.spec, tc.sel) }, tc.want)
		})
	}
}

// Positions name remote files by their sftp:// location; the digest is
// the one of the same bytes read locally, and follows their changes.
func TestIntegrationSFTPPositionsAndDigest(t *testing.T) {
	s, spec := sftpServer(t)
	src := openOrFail(t, spec, source.Select{})
	defer src.Close()
	var got []string
	require.NoError(t, src.Scan(context.Background(), record.Position{}, func(r *record.Record) error {
		got = append(got, r.Pos.String())
		return nil
	}))
	base := spec.Path
	require.Equal(t, []string{base + "/a.csv:2", base + "/a.csv:3", base + "/b.csv.gz:2"}, got)

	file := filepath.Join(s.Dir, "exports", "a.csv")
	one := openOrFail(t, spec, source.Select{File: "a.csv"})
	defer one.Close()
	remote, err := one.(source.Digester).Digest(context.Background())
	require.NoError(t, err)
	local, err := csv.New("legacy", file, "a.csv", "").Digest(context.Background())
	require.NoError(t, err)
	require.Equal(t, local, remote)

	require.NoError(t, os.WriteFile(file, []byte("id;name\n1;Zoe\n2;Bob\n"), 0o600))
	changed, err := one.(source.Digester).Digest(context.Background())
	require.NoError(t, err)
	require.NotEqual(t, remote, changed)
	_, err = src.(source.Digester).Digest(context.Background())
	require.NoError(t, err, "a directory on SFTP has a digest too")
}

// Without known_hosts: the file is ~/.ssh/known_hosts; ~/ names the home
// directory in file references too.
func TestIntegrationSFTPDefaultKnownHosts(t *testing.T) {
	s, spec := sftpServer(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	require.NoError(t, os.Mkdir(filepath.Join(home, ".ssh"), 0o700))
	known, err := os.ReadFile(s.KnownHosts)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), known, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".ssh", "id_ferry"), []byte(s.Key.Reveal()), 0o600))
	spec.SSH = &source.SSH{PrivateKey: secret.Ref{File: "~/.ssh/id_ferry"}}
	src := openOrFail(t, spec, source.Select{File: "a.csv"})
	defer src.Close()
	_, err = src.Schema(context.Background())
	require.NoError(t, err)
}

// Every failure names the source and what failed, and holds no secret.
func TestIntegrationSFTPErrors(t *testing.T) {
	s, spec := sftpServer(t)
	dir := t.TempDir()
	other, otherKey := sshtest.NewKey(t)
	unknown := filepath.Join(dir, "known_hosts")
	require.NoError(t, os.WriteFile(unknown, []byte(sshtest.KnownHostsLine("192.0.2.1:22", other)+"\n"), 0o600))
	wrongKey := filepath.Join(dir, "id_other")
	require.NoError(t, os.WriteFile(wrongKey, []byte(otherKey.Reveal()), 0o600))
	closed := closedAddr(t)
	where := "sftp://" + s.User + "@" + s.Addr
	with := func(change func(*source.Spec)) source.Spec {
		c := spec
		ssh := *spec.SSH
		c.SSH = &ssh
		change(&c)
		return c
	}
	cases := []struct {
		name string
		spec source.Spec
		sel  source.Select
		want []string
	}{
		{"unknown host", with(func(c *source.Spec) { c.SSH.KnownHosts = unknown }), source.Select{},
			[]string{"source legacy: " + where + ": the server's host key is not in " + unknown + ": refused", "ssh-keyscan -p "}},
		{"wrong key", with(func(c *source.Spec) { c.SSH.PrivateKey.File = wrongKey }), source.Select{},
			[]string{"source legacy: " + where + ": the server refused the key or password of " + s.User}},
		{"unreachable", with(func(c *source.Spec) { c.Path = "sftp://" + s.User + "@" + closed + "/exports" }), source.Select{},
			[]string{"source legacy: sftp://" + s.User + "@" + closed + ": cannot reach the SSH server at " + closed}},
		{"no credentials", with(func(c *source.Spec) { c.SSH.PrivateKey = secret.Ref{} }), source.Select{},
			[]string{"source legacy: ssh: give private_key: {file: ~/.ssh/id_ed25519} or password: {env: NAME}"}},
		{"missing key file", with(func(c *source.Spec) { c.SSH.PrivateKey.File = filepath.Join(dir, "none") }), source.Select{},
			[]string{"source legacy: ssh.private_key: secret: read " + filepath.Join(dir, "none")}},
		{"no match", spec, source.Select{File: "*.tsv"}, []string{"source legacy: no file matches " + spec.Path + "/*.tsv"}},
		{"password in the URL", with(func(c *source.Spec) { c.Path = "sftp://u:hunter2@" + s.Addr + "/x" }), source.Select{},
			[]string{"source legacy: path: put no password in the URL"}},
		{"ssh.host on a path", with(func(c *source.Spec) { c.SSH.Host = "bastion" }), source.Select{},
			[]string{"source legacy: ssh.host is for database tunnels"}},
		{"ssh on a local path", with(func(c *source.Spec) { c.Path = "exports" }), source.Select{},
			[]string{"source legacy: ssh: is for files on an SFTP server"}},
		{"ssh on sqlite", with(func(c *source.Spec) { c.Kind, c.Path = "sqlite", "old.db" }), source.Select{Table: "t"},
			[]string{"source legacy: ssh: applies to csv and xlsx files on an SFTP server"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), "legacy", tc.spec, tc.sel, dir)
			require.Error(t, err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
			require.NotContains(t, err.Error(), "hunter2")
			require.NotContains(t, err.Error(), s.Key.Reveal()[40:80])
		})
	}
	t.Run("missing file", func(t *testing.T) {
		src := openOrFail(t, spec, source.Select{File: "gone.csv"})
		defer src.Close()
		_, err := src.Schema(context.Background())
		require.EqualError(t, err, "source legacy: "+spec.Path+"/gone.csv: the file does not exist (looked for "+spec.Path+"/gone.csv)")
		xs := spec
		xs.Kind = "xlsx"
		x := openOrFail(t, xs, source.Select{File: "gone.xlsx"})
		defer x.Close()
		_, err = x.(source.Digester).Digest(context.Background())
		require.ErrorContains(t, err, "source legacy: "+spec.Path+"/gone.xlsx: the file does not exist")
	})
}

func TestParseSFTP(t *testing.T) {
	cases := []struct {
		path, user string
		want       sftpLocation
	}{
		{"sftp://ann@files.example.com/srv/exports", "", sftpLocation{"ann", "files.example.com", "/srv/exports"}},
		{"sftp://ann@files.example.com:2222/~/exports", "", sftpLocation{"ann", "files.example.com:2222", "exports"}},
		{"sftp://files.example.com/~", "ann", sftpLocation{"ann", "files.example.com", "."}},
		{"sftp://ann@files.example.com", "ann", sftpLocation{"ann", "files.example.com", "."}},
	}
	for _, tc := range cases {
		got, err := parseSFTP("legacy", source.Spec{Path: tc.path, SSH: &source.SSH{User: tc.user}})
		require.NoError(t, err, tc.path)
		require.Equal(t, tc.want, got, tc.path)
	}
	_, err := parseSFTP("legacy", source.Spec{Path: "sftp://files.example.com/x"})
	require.EqualError(t, err, "source legacy: path: name the login in the URL (sftp://user@host/dir)")
	_, err = parseSFTP("legacy", source.Spec{Path: "sftp://ann@h/x", SSH: &source.SSH{User: "bob"}})
	require.EqualError(t, err, "source legacy: ssh.user bob differs from the user ann of the sftp:// path")
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestSSHRefusedWhereItCannotApply(t *testing.T) {
	ssh := &source.SSH{PrivateKey: secret.Ref{File: "k"}}
	for _, spec := range []source.Spec{{Kind: "sqlite", Path: "old.db", SSH: ssh}, {Kind: "odoo", URL: "https://old.example.com", SSH: ssh}} {
		_, err := Open(context.Background(), "legacy", spec, source.Select{Table: "t"}, t.TempDir())
		require.EqualError(t, err, "source legacy: ssh: applies to csv and xlsx files on an SFTP server (path: sftp://…) and to postgres and mysql tunnels, not to a "+spec.Kind+" source")
	}
	_, err := Open(context.Background(), "legacy", source.Spec{Kind: "csv", Path: "exports", SSH: ssh}, source.Select{}, t.TempDir())
	require.EqualError(t, err, "source legacy: ssh: is for files on an SFTP server: write path: as sftp://user@host/dir")
}
