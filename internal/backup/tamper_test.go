package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// Every kind of damage to a copy is found by Verify, with a message that
// names the store, the backup, the file and what is wrong; the other
// copies still verify.
func TestIntegrationTamperingIsDetected(t *testing.T) {
	dsn, _ := fixture(t)
	all := stores(t)
	keys := x25519(t)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	keys.SignKey = priv
	m, err := Create(context.Background(), Source{DSN: dsn, Filestore: filestore(t)}, storeList(all), keys, time.Now())
	require.NoError(t, err)
	local := all["local"].(dest.Local)
	bdir := filepath.Join(local.Dir, m.ID)
	prefix := "backup " + m.ID + " in " + local.Dir + ": "

	for _, tc := range []struct {
		name   string
		damage func(t *testing.T)
		keys   Keys
		want   string
	}{
		{"flipped byte", func(t *testing.T) { editFile(t, bdir, DumpPart, func(b []byte) []byte { b[len(b)/2] ^= 1; return b }) },
			keys, prefix + "dump.pgc.age: SHA-256 differs from the manifest: the file was changed"},
		{"truncated copy", func(t *testing.T) { editFile(t, bdir, FilestorePart, func(b []byte) []byte { return b[:len(b)-100] }) },
			keys, prefix + "filestore.tar.age: "},
		{"appended bytes", func(t *testing.T) { editFile(t, bdir, DumpPart, func(b []byte) []byte { return append(b, 0) }) },
			keys, "(truncated or appended to)"},
		{"missing part", func(t *testing.T) { require.NoError(t, os.Remove(filepath.Join(bdir, FilestorePart))) },
			keys, prefix + "filestore.tar.age: missing"},
		{"wrong key", func(*testing.T) {}, x25519(t), prefix + "dump.pgc.age: cannot decrypt with the given key or passphrase (wrong key)"},
		{"wrong passphrase", func(*testing.T) {}, Keys{Passphrase: secret.New("not the key")}, "cannot decrypt with the given key or passphrase"},
		{"edited manifest", func(t *testing.T) {
			editFile(t, bdir, ManifestFile, func(b []byte) []byte {
				return bytes.Replace(b, []byte(`"public.res_partner": 250`), []byte(`"public.res_partner": 251`), 1)
			})
		}, keys, prefix + "manifest.json: SHA-256 differs from manifest.json.sha256: the manifest was changed"},
		{"manifest re-hashed but not re-signed", func(t *testing.T) {
			rewriteManifest(t, local, m.ID, func(m *Manifest) { m.Tables["public.res_partner"] = 1 })
		},
			Keys{Identities: keys.Identities, VerifyKey: pub}, prefix + "manifest.json.sig: the signature does not match"},
		{"unsigned where a signature is required", func(t *testing.T) { require.NoError(t, os.Remove(filepath.Join(bdir, ManifestSigFile))) },
			Keys{Identities: keys.Identities, VerifyKey: pub}, "manifest.json.sig: missing: the backup is not signed"},
		{"../ part name", func(t *testing.T) {
			rewriteManifest(t, local, m.ID, func(m *Manifest) { m.Parts[0].Name = "../../etc/passwd" })
		}, keys, prefix + `manifest.json: part name "../../etc/passwd" would leave the backup directory: refused`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := snapshotDir(t, bdir)
			defer restoreDir(t, bdir, saved)
			tc.damage(t)
			_, err := Verify(context.Background(), local, m.ID, tc.keys)
			require.ErrorContains(t, err, tc.want)
			for name, s := range all {
				if name != "local" && tc.keys.Identities != nil && tc.keys.Identities[0] == keys.Identities[0] {
					_, err := Verify(context.Background(), s, m.ID, keys)
					require.NoError(t, err, "the copy in %s is intact", name)
				}
			}
		})
	}
}

// A backup whose filestore holds a "../" or absolute entry, correctly
// encrypted and listed in the manifest (anyone with the public key can
// make one), is refused by verify and by restore, and nothing is written
// outside the target directory.
func TestIntegrationEscapingFilestoreEntriesAreRefused(t *testing.T) {
	keys := x25519(t)
	for _, tc := range []struct{ entry, want string }{
		{"../evil", `entry "../evil" would leave the filestore directory (..): refused`},
		{"ab/../../evil", `entry "ab/../../evil" would leave the filestore directory (..): refused`},
		{"/tmp/evil", `entry "/tmp/evil" has an absolute or unusable path: refused`},
	} {
		t.Run(tc.entry, func(t *testing.T) {
			s := dest.Local{Dir: t.TempDir()}
			id := craftBackup(t, s, keys, tc.entry)
			_, err := Verify(context.Background(), s, id, keys)
			require.ErrorContains(t, err, "filestore.tar.age: "+tc.want)
			base := t.TempDir()
			_, err = extractTar(bytes.NewReader(tarWith(t, tc.entry)), filepath.Join(base, "fs"))
			require.ErrorContains(t, err, tc.want)
			entries, err := os.ReadDir(base)
			require.NoError(t, err)
			require.Len(t, entries, 1, "nothing beside the target directory")
		})
	}
	t.Run("symlink", func(t *testing.T) {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/etc"}))
		require.NoError(t, tw.Close())
		_, err := extractTar(&buf, t.TempDir())
		require.ErrorContains(t, err, `entry "link" is not a directory or a regular file`)
	})
}

func tarWith(t *testing.T, entry string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "ok", Typeflag: tar.TypeReg, Size: 2, Mode: 0o600}))
	_, err := tw.Write([]byte("ok"))
	require.NoError(t, err)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: entry, Typeflag: tar.TypeReg, Size: 4, Mode: 0o600}))
	_, err = tw.Write([]byte("evil"))
	require.NoError(t, err)
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

// craftBackup writes a complete, well-formed backup whose filestore part
// holds entry.
func craftBackup(t *testing.T, s dest.Store, keys Keys, entry string) string {
	ctx := context.Background()
	rcpts, enc, err := keys.recipients()
	require.NoError(t, err)
	m := &Manifest{Format: FormatVersion, ID: NewID(time.Now()), Created: time.Now().UTC(), Encryption: enc}
	part, err := writePart(ctx, []dest.Store{s}, m.ID, FilestorePart, bytes.NewReader(tarWith(t, entry)), rcpts)
	require.NoError(t, err)
	part.Kind, part.Entries = KindFilestore, 2
	m.Parts = []Part{part}
	files, err := manifestFiles(m, nil)
	require.NoError(t, err)
	require.NoError(t, writeManifest(ctx, s, m.ID, files))
	return m.ID
}

func editFile(t *testing.T, dir, name string, edit func([]byte) []byte) {
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, edit(b), 0o600))
}

// rewriteManifest changes the manifest and writes a matching SHA-256 file,
// as someone with write access to the store could; the signature stays.
func rewriteManifest(t *testing.T, s dest.Local, id string, edit func(*Manifest)) {
	b, err := os.ReadFile(filepath.Join(s.Dir, id, ManifestFile))
	require.NoError(t, err)
	var m Manifest
	require.NoError(t, jsonUnmarshal(b, &m))
	edit(&m)
	files, err := manifestFiles(&m, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(s.Dir, id, ManifestFile), files[ManifestFile], 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(s.Dir, id, ManifestSumFile), files[ManifestSumFile], 0o600))
}

func snapshotDir(t *testing.T, dir string) map[string][]byte {
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = b
	}
	return out
}

func restoreDir(t *testing.T, dir string, files map[string][]byte) {
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o600))
	}
}
