package open

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/csv"
	"github.com/ferry-migrate/ferry/internal/source/remote"
	"github.com/ferry-migrate/ferry/internal/source/xlsx"
)

// isSFTP reports whether a source's path is an sftp:// URL.
func isSFTP(p string) bool { return strings.HasPrefix(strings.ToLower(p), "sftp://") }

// sftpLocation is a parsed sftp://user@host:port/dir path.
type sftpLocation struct {
	user, addr, dir string
}

// parseSFTP reads the path's URL; /~/dir is relative to the login
// directory. The user comes from the URL or from ssh.user.
func parseSFTP(name string, spec source.Spec) (sftpLocation, error) {
	u, err := url.Parse(spec.Path)
	if err != nil || u.Host == "" {
		return sftpLocation{}, fmt.Errorf("source %s: path: not an SFTP location (sftp://user@host[:port]/dir)", name)
	}
	if _, has := u.User.Password(); has {
		return sftpLocation{}, fmt.Errorf("source %s: path: put no password in the URL: give it as ssh: {password: {env: NAME}}", name)
	}
	loc := sftpLocation{user: u.User.Username(), addr: u.Host, dir: u.Path}
	if s := spec.SSH; s != nil {
		switch {
		case s.Host != "":
			return loc, fmt.Errorf("source %s: ssh.host is for database tunnels: the SFTP server is the host of the sftp:// path", name)
		case loc.user == "":
			loc.user = s.User
		case s.User != "" && s.User != loc.user:
			return loc, fmt.Errorf("source %s: ssh.user %s differs from the user %s of the sftp:// path", name, s.User, loc.user)
		}
	}
	if loc.user == "" {
		return loc, fmt.Errorf("source %s: path: name the login in the URL (sftp://user@host/dir)", name)
	}
	switch rest, home := strings.CutPrefix(loc.dir, "/~"); {
	case loc.dir == "" || loc.dir == "/~":
		loc.dir = "."
	case home && strings.HasPrefix(rest, "/"):
		loc.dir = strings.TrimPrefix(rest, "/")
	}
	return loc, nil
}

// openRemote opens the files of a csv or xlsx source on an SFTP server.
// It connects at once, so an unreachable server, a refused host key or
// login is reported here; a missing file is reported by Schema and Scan,
// as for local files. The source holds the connection until it is closed.
func openRemote(ctx context.Context, name string, spec source.Spec, sel source.Select, dir string) (source.Source, error) {
	if !isSFTP(spec.Path) {
		return nil, fmt.Errorf("source %s: ssh: is for files on an SFTP server: write path: as sftp://user@host/dir", name)
	}
	loc, err := parseSFTP(name, spec)
	if err != nil {
		return nil, err
	}
	conf, err := sshConfig(name, spec.SSH, dir)
	if err != nil {
		return nil, err
	}
	conf.Addr, conf.User = loc.addr, loc.user
	fsys, err := remote.OpenSFTP(ctx, conf)
	if err != nil {
		return nil, fmt.Errorf("source %s: sftp://%s@%s: %w", name, loc.user, loc.addr, err)
	}
	src, err := remoteFiles(name, spec, sel, fsys, path.Join(loc.dir, sel.File))
	if err != nil {
		fsys.Close()
		return nil, err
	}
	return &remoteSource{Source: src, digest: src.(source.Digester), fsys: fsys}, nil
}

// remoteFiles is the source of file on fsys: a workbook, or CSV files as
// a file, a directory or a glob, as for local files.
func remoteFiles(name string, spec source.Spec, sel source.Select, fsys *remote.SFTP, file string) (source.Source, error) {
	if spec.Kind == "xlsx" {
		return xlsx.NewFS(fsys, name, file, fsys.Where(file), sel.Sheet), nil
	}
	var matches []string
	switch info, err := fsys.Stat(file); {
	case strings.ContainsAny(file, "*?["):
		if matches, err = fsys.Glob(file); err != nil {
			return nil, fmt.Errorf("source %s: %w", name, err)
		}
	case err == nil && info.IsDir():
		if matches, err = remoteTables(fsys, file); err != nil {
			return nil, fmt.Errorf("source %s: %w", name, err)
		}
	default:
		return csv.NewFS(fsys, name, file, fsys.Where(file), spec.Encoding), nil
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("source %s: no file matches %s", name, fsys.Where(file))
	}
	slices.Sort(matches)
	files := make([]*csv.File, len(matches))
	for i, m := range matches {
		files[i] = csv.NewFS(fsys, name, m, fsys.Where(m), spec.Encoding)
	}
	return csv.NewSet(name, files), nil
}

// remoteTables lists the delimited files of a remote directory.
func remoteTables(fsys *remote.SFTP, dir string) ([]string, error) {
	infos, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, fi := range infos {
		if fi.Mode().IsRegular() && isTable(fi.Name()) {
			out = append(out, path.Join(dir, fi.Name()))
		}
	}
	return out, nil
}

// isTable reports whether a file name is a delimited export, optionally
// gzipped.
func isTable(name string) bool {
	n := strings.TrimSuffix(strings.ToLower(name), ".gz")
	return strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, ".tsv") || strings.HasSuffix(n, ".txt")
}

// remoteSource is a file source with the SFTP connection it reads
// through, closed with it.
type remoteSource struct {
	source.Source
	digest source.Digester
	fsys   *remote.SFTP
}

var (
	_ source.Source   = (*remoteSource)(nil)
	_ source.Digester = (*remoteSource)(nil)
)

// Digest is the file source's digest, computed over the remote bytes.
func (r *remoteSource) Digest(ctx context.Context) (string, error) { return r.digest.Digest(ctx) }

// Close closes the source, then the connection; it is safe to call twice.
func (r *remoteSource) Close() error {
	err := r.Source.Close()
	_ = r.fsys.Close()
	return err
}
