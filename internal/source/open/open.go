// Package open opens the source a plan's selection names, by kind: csv
// files (internal/source/csvfile), xlsx workbooks (internal/source/xlsx),
// postgres, mysql and sqlite databases (internal/source/sqldb). It is the
// one place that knows every kind.
package open

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/csvfile"
	"github.com/ferry-migrate/ferry/internal/source/sqldb"
	"github.com/ferry-migrate/ferry/internal/source/xlsx"
)

// Open opens the selection sel of source name. Relative paths resolve
// against dir (the plan's directory).
func Open(ctx context.Context, name string, spec source.Spec, sel source.Select, dir string) (source.Source, error) {
	switch spec.Kind {
	case "csv":
		if sel.File == "" {
			return nil, fmt.Errorf("source %s: a csv source needs file: in the selection", name)
		}
		return csvfile.New(name, resolve(dir, filepath.Join(spec.Path, sel.File)), sel.File, spec.Encoding), nil
	case "xlsx":
		if sel.File == "" {
			return nil, fmt.Errorf("source %s: an xlsx source needs file: in the selection", name)
		}
		return xlsx.New(name, resolve(dir, filepath.Join(spec.Path, sel.File)), sel.File, sel.Sheet), nil
	case "postgres", "mysql":
		dsn, err := spec.DSN.Resolve()
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", name, err)
		}
		return sqldb.Open(ctx, name, spec.Kind, dsn, sel.Table, sel.Query)
	case "sqlite":
		return sqldb.Open(ctx, name, "sqlite", secret.New("file:"+resolve(dir, spec.Path)+"?mode=ro"), sel.Table, sel.Query)
	}
	return nil, fmt.Errorf("source %s: kind %q is not supported (csv, xlsx, postgres, mysql, sqlite)", name, spec.Kind)
}

// resolve makes a relative path relative to the plan's directory.
func resolve(dir, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}
