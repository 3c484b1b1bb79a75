package open

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
)

func readAll(t *testing.T, d *Dir, name string) (string, error) {
	t.Helper()
	f, err := d.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	return string(b), err
}

// A files source reads the files of its directory by relative names and
// refuses every name that leaves it, a link out of it included.
func TestFilesDirStaysInside(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scans", "2024"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scans", "2024", "a.pdf"), []byte("%PDF a"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("no"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(dir, "secret.txt"), filepath.Join(dir, "scans", "link.txt")))

	d, err := Files(context.Background(), "scans", source.Spec{Kind: "files", Path: "scans"}, dir)
	require.NoError(t, err)
	defer d.Close()
	got, err := readAll(t, d, "2024/a.pdf")
	require.NoError(t, err)
	require.Equal(t, "%PDF a", got)
	require.Equal(t, "scans/2024/a.pdf", d.Where("2024/a.pdf"))

	_, err = d.Open("2024/b.pdf")
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorContains(t, err, "scans/2024/b.pdf")
	for _, bad := range []string{"../secret.txt", "/etc/passwd", "2024/../../secret.txt", "link.txt", ""} {
		_, err = d.Open(bad)
		require.ErrorIs(t, err, ErrOutside, bad)
	}
	_, err = d.Open("2024")
	require.ErrorContains(t, err, "scans/2024 is a directory")

	_, err = Files(context.Background(), "scans", source.Spec{Kind: "files", Path: "nowhere"}, dir)
	require.ErrorContains(t, err, "source scans: the directory nowhere: no such file or directory")
	_, err = Files(context.Background(), "scans", source.Spec{Kind: "files"}, dir)
	require.ErrorContains(t, err, "a files source needs path:")
	_, err = Files(context.Background(), "scans", source.Spec{Kind: "files", Path: "scans", SSH: &source.SSH{}}, dir)
	require.ErrorContains(t, err, "ssh: is for files on an SFTP server")
}

// On an SFTP server the directory reads the same way, over the source's
// ssh: login.
func TestIntegrationFilesDirOverSFTP(t *testing.T) {
	s, spec := sftpServer(t)
	spec = source.Spec{Kind: "files", Path: spec.Path, SSH: &source.SSH{KnownHosts: s.KnownHosts, PrivateKey: secret.Ref{File: s.KeyFile}}}
	d, err := Files(context.Background(), "scans", spec, t.TempDir())
	require.NoError(t, err)
	defer d.Close()
	got, err := readAll(t, d, "old/c.csv")
	require.NoError(t, err)
	require.Equal(t, "id;name\n9;Old\n", got)
	require.Contains(t, d.Where("old/c.csv"), "sftp://")
	_, err = d.Open("gone.pdf")
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, err = d.Open("../x")
	require.ErrorIs(t, err, ErrOutside)

	spec.Path += "/nope"
	_, err = Files(context.Background(), "scans", spec, t.TempDir())
	require.ErrorContains(t, err, "is not a directory on the server")
}
