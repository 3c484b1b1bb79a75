package open

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/csv"
	"github.com/ferry-migrate/ferry/internal/source/odoosrc"
	"github.com/ferry-migrate/ferry/internal/source/sqldb"
	"github.com/ferry-migrate/ferry/internal/source/xlsx"
)

// Kinds lists the source kinds Open knows.
var Kinds = []string{"csv", "xlsx", "postgres", "mysql", "sqlite", "odoo"}

// Open opens the selection sel of source name (its spec from the plan).
// Relative paths resolve against dir, the plan's directory; positions and
// errors name files as the plan wrote them. Files are opened lazily (a
// missing file is reported by Schema and Scan), databases at once.
func Open(ctx context.Context, name string, spec source.Spec, sel source.Select, dir string) (source.Source, error) {
	if spec.Kind != "odoo" && (len(sel.Fields) > 0 || len(sel.Domain) > 0) {
		return nil, fmt.Errorf("source %s: fields: and domain: select from an odoo source; a %s source reads a table:, query: or file:", name, spec.Kind)
	}
	switch spec.Kind {
	case "csv":
		if spec.SSH != nil || isSFTP(spec.Path) {
			return openRemote(ctx, name, spec, sel, dir)
		}
		return openCSV(name, spec, sel, dir)
	case "xlsx":
		if spec.SSH != nil || isSFTP(spec.Path) {
			return openRemote(ctx, name, spec, sel, dir)
		}
		file := filepath.Join(spec.Path, sel.File)
		if file == "" {
			return nil, fmt.Errorf("source %s: an xlsx source needs a path or a file: in the selection", name)
		}
		return xlsx.New(name, resolve(dir, file), filepath.ToSlash(file), sel.Sheet), nil
	case "postgres", "mysql":
		if spec.DSN.IsZero() {
			return nil, fmt.Errorf("source %s: a %s source needs dsn: {env: NAME} or {file: PATH}", name, spec.Kind)
		}
		dsn, err := spec.DSN.Resolve()
		if err != nil {
			return nil, fmt.Errorf("source %s: the DSN: %w", name, err)
		}
		return openDatabase(ctx, name, spec, dsn, sel, dir)
	case "sqlite", "odoo":
		if err := noSSH(name, spec); err != nil {
			return nil, err
		}
		if spec.Kind == "odoo" {
			return openOdoo(ctx, name, spec, sel, dir)
		}
		return openSQLite(ctx, name, spec, sel, dir)
	}
	return nil, fmt.Errorf("source %s: kind %q is not supported (%s)", name, spec.Kind, strings.Join(Kinds, ", "))
}

// openCSV opens one file, or a set when the path is a directory (its
// .csv, .tsv and .txt files, optionally gzipped) or a glob.
func openCSV(name string, spec source.Spec, sel source.Select, dir string) (source.Source, error) {
	file := filepath.Join(spec.Path, sel.File)
	if file == "" {
		return nil, fmt.Errorf("source %s: a csv source needs a path or a file: in the selection", name)
	}
	path := resolve(dir, file)
	var matches []string
	switch info, err := os.Stat(path); {
	case strings.ContainsAny(file, "*?["):
		if matches, err = filepath.Glob(path); err != nil {
			return nil, fmt.Errorf("source %s: the pattern %s: %w", name, file, err)
		}
	case err == nil && info.IsDir():
		if matches, err = tables(path); err != nil {
			return nil, fmt.Errorf("source %s: %s: %w", name, file, err)
		}
	default:
		return csv.New(name, path, filepath.ToSlash(file), spec.Encoding), nil
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("source %s: no file matches %s", name, file)
	}
	slices.Sort(matches)
	files := make([]*csv.File, len(matches))
	for i, m := range matches {
		files[i] = csv.New(name, m, display(dir, m), spec.Encoding)
	}
	return csv.NewSet(name, files), nil
}

// tables lists the delimited files of a directory.
func tables(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		n := strings.TrimSuffix(strings.ToLower(e.Name()), ".gz")
		if !e.IsDir() && (strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, ".tsv") || strings.HasSuffix(n, ".txt")) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

func openSQLite(ctx context.Context, name string, spec source.Spec, sel source.Select, dir string) (source.Source, error) {
	if spec.Path == "" {
		return nil, fmt.Errorf("source %s: a sqlite source needs path: (the database file)", name)
	}
	path := resolve(dir, spec.Path)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("source %s: %s: the database file does not exist (looked for %s)", name, spec.Path, path)
	}
	return sqldb.Open(ctx, name, "sqlite", secret.New(sqliteDSN(path)), sel.Table, sel.Query)
}

// openOdoo connects to the Odoo database of an odoo source and reads the
// model the selection names in table:.
func openOdoo(ctx context.Context, name string, spec source.Spec, sel source.Select, dir string) (source.Source, error) {
	if sel.Query != "" || sel.File != "" || sel.Sheet != "" {
		return nil, fmt.Errorf("source %s: an odoo source reads a model: name it in table: (e.g. table: res.partner), with domain: and fields: if needed", name)
	}
	cfg, err := OdooConfig(name, spec, dir)
	if err != nil {
		return nil, err
	}
	return odoosrc.Open(ctx, cfg, odoosrc.Options{Source: name, Namespace: spec.Namespace, Model: sel.Table,
		Domain: sel.Domain, Fields: sel.Fields})
}

// OdooConfig is the client configuration of the odoo source name, its
// secrets resolved; relative paths are relative to dir (the plan's).
func OdooConfig(name string, spec source.Spec, dir string) (odoo.Config, error) {
	switch {
	case spec.URL == "":
		return odoo.Config{}, fmt.Errorf("source %s: an odoo source needs url: (the old Odoo's base URL)", name)
	case spec.Database == "":
		return odoo.Config{}, fmt.Errorf("source %s: an odoo source needs database:", name)
	case spec.Password.IsZero() && spec.APIKey.IsZero():
		return odoo.Config{}, fmt.Errorf("source %s: an odoo source needs api_key: {env: NAME} or password: {env: NAME}", name)
	case spec.Login == "" && spec.APIKey.IsZero():
		return odoo.Config{}, fmt.Errorf("source %s: an odoo source with a password needs login:", name)
	}
	tr, err := odoo.ParseTransport(spec.Protocol)
	if err != nil {
		return odoo.Config{}, fmt.Errorf("source %s: protocol: %w", name, err)
	}
	cfg := odoo.Config{URL: spec.URL, Database: spec.Database, Login: spec.Login, Transport: tr,
		Insecure: spec.Insecure, CAFile: resolve(dir, spec.CAFile), Pin: spec.PinSHA256}
	if !spec.Password.IsZero() {
		if cfg.Password, err = spec.Password.Resolve(); err != nil {
			return cfg, fmt.Errorf("source %s: the password: %w", name, err)
		}
	}
	if !spec.APIKey.IsZero() {
		if cfg.APIKey, err = spec.APIKey.Resolve(); err != nil {
			return cfg, fmt.Errorf("source %s: the API key: %w", name, err)
		}
	}
	return cfg, nil
}

// sqliteDSN opens the database file at path read-only.
func sqliteDSN(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: "mode=ro"}).String()
}

// resolve makes a relative path relative to the plan's directory.
func resolve(dir, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// display names a matched file relative to the plan's directory.
func display(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}
