package source

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// Source reads records from an external system.
//
// Schema returns the columns (called once, before Scan). Scan calls fn for
// each record after pos (zero Position = from the start), in a stable order,
// on the caller's goroutine, and stops at the first error fn returns (and
// returns it). A record passed to fn may be retained by fn. Errors from Scan
// name the file, line or query they concern. A malformed row that can still
// be delimited (a ragged CSV row, an undecodable cell) is NOT an error: it is
// passed to fn with whatever values could be read and Record.Problem set, so
// the pipeline quarantines it and no row is lost silently.
// Close releases connections and files; it is safe to call twice.
type Source interface {
	Schema(ctx context.Context) (record.Schema, error)
	Scan(ctx context.Context, after record.Position, fn func(*record.Record) error) error
	Close() error
}

// Digester is implemented by sources whose whole content can be digested
// cheaply (files). Resume compares digests to detect changed inputs.
type Digester interface {
	Digest(ctx context.Context) (string, error)
}

// Spec is one entry of a plan's `sources:` map.
type Spec struct {
	Kind     string     `yaml:"kind" json:"kind"`                             // csv | xlsx | postgres | mysql | sqlite | odoo
	Path     string     `yaml:"path,omitempty" json:"path,omitempty"`         // file or directory (csv, xlsx), database file (sqlite)
	DSN      secret.Ref `yaml:"dsn,omitempty" json:"dsn,omitempty"`           // database DSN, by reference (it may hold a password)
	Encoding string     `yaml:"encoding,omitempty" json:"encoding,omitempty"` // csv: utf-8, utf-16, windows-1252, iso-8859-1, iso-8859-15; empty = detect
}

// Select says which rows of a source an entity reads: the `from:` of an
// entity in a plan.
type Select struct {
	Source string `yaml:"source" json:"source"`
	Table  string `yaml:"table,omitempty" json:"table,omitempty"`
	Query  string `yaml:"query,omitempty" json:"query,omitempty"`
	File   string `yaml:"file,omitempty" json:"file,omitempty"`
	Sheet  string `yaml:"sheet,omitempty" json:"sheet,omitempty"`
}
