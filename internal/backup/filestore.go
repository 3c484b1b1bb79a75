package backup

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// writeTar writes the directories and regular files of fsys (a local
// directory, or one on an SFTP server) to w as a PAX tar with names
// relative to its root, and returns how many entries it wrote. Anything
// else (a symlink, a device) is refused: the filestore holds only files,
// and a link could point anywhere on restore. where names fsys in errors.
func writeTar(ctx context.Context, fsys fs.FS, where string, w io.Writer) (int, error) {
	tw := tar.NewWriter(w)
	n := 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if err := addEntry(tw, fsys, p, d); err != nil {
			return err
		}
		n++
		return nil
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		return n, fmt.Errorf("filestore %s: %w", where, err)
	}
	return n, nil
}

func addEntry(tw *tar.Writer, fsys fs.FS, name string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	if !info.Mode().IsDir() && !info.Mode().IsRegular() {
		return fmt.Errorf("%s is a %s: only directories and regular files are backed up", name, info.Mode().Type())
	}
	hdr, err := tar.FileInfoHeader(info, "")
	if err != nil {
		return err
	}
	hdr.Name, hdr.Format = name, tar.FormatPAX
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	if info.IsDir() {
		hdr.Name += "/"
		return tw.WriteHeader(hdr)
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

// checkEntry refuses an entry that is neither a directory nor a regular
// file, or whose name could leave the directory it is extracted into.
func checkEntry(h *tar.Header) (string, error) {
	name := strings.TrimSuffix(h.Name, "/")
	switch {
	case h.Typeflag != tar.TypeDir && h.Typeflag != tar.TypeReg:
		return "", fmt.Errorf("entry %q is not a directory or a regular file (type %q): refused", h.Name, h.Typeflag)
	case name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || filepath.IsAbs(name):
		return "", fmt.Errorf("entry %q has an absolute or unusable path: refused", h.Name)
	case path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../"):
		return "", fmt.Errorf("entry %q would leave the filestore directory (..): refused", h.Name)
	}
	return name, nil
}

// scanTar reads a whole tar stream and checks every entry's name.
func scanTar(r io.Reader) (int, error) {
	tr := tar.NewReader(r)
	n := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("not a valid tar stream: %w", err)
		}
		if _, err := checkEntry(h); err != nil {
			return n, err
		}
		n++
	}
}

// extractTar writes the tar stream r into dir, which must be empty or
// absent. Every path goes through os.Root, so nothing lands outside dir
// even if a check were missed.
func extractTar(r io.Reader, dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) > 0 {
		return 0, errors.Join(err, fmt.Errorf("filestore target %s is not empty: refused", dir))
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0, err
	}
	defer root.Close()
	tr := tar.NewReader(r)
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("not a valid tar stream: %w", err)
		}
		if err := extractEntry(root, h, tr); err != nil {
			return n, err
		}
	}
}

func extractEntry(root *os.Root, h *tar.Header, r io.Reader) error {
	name, err := checkEntry(h)
	if err != nil {
		return err
	}
	if h.Typeflag == tar.TypeDir {
		return root.MkdirAll(name, 0o700)
	}
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fs.FileMode(h.Mode).Perm()&0o700|0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return errors.Join(err, f.Close())
}
