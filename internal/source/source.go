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

// Spec is one entry of a plan's `sources:` map. An odoo source takes the
// same connection keys as the plan's target (url, database, login,
// password or api_key by reference, protocol, insecure, ca_file,
// pin_sha256).
type Spec struct {
	// Kind is one of open.Kinds or files (plan.FilesKind); the enum makes
	// another a plan finding when the plan loads.
	Kind     string     `yaml:"kind" json:"kind" jsonschema:"enum=csv,enum=xlsx,enum=postgres,enum=mysql,enum=sqlite,enum=odoo,enum=files"`
	Path     string     `yaml:"path,omitempty" json:"path,omitempty"`         // file, directory or glob (csv, xlsx; local or sftp://user@host[:port]/dir), database file (sqlite), directory (files)
	DSN      secret.Ref `yaml:"dsn,omitempty" json:"dsn,omitempty"`           // database DSN, by reference (it may hold a password)
	Encoding string     `yaml:"encoding,omitempty" json:"encoding,omitempty"` // csv: utf-8, utf-16, windows-1252, iso-8859-1, iso-8859-15; empty = detect
	SSH      *SSH       `yaml:"ssh,omitempty" json:"ssh,omitempty"`           // csv, xlsx: login to an sftp:// path; postgres, mysql: tunnel through a bastion

	URL       string     `yaml:"url,omitempty" json:"url,omitempty"`           // odoo: base URL
	Database  string     `yaml:"database,omitempty" json:"database,omitempty"` // odoo: database name
	Login     string     `yaml:"login,omitempty" json:"login,omitempty"`       // odoo: login (optional with an API key on Odoo 19+)
	Password  secret.Ref `yaml:"password,omitempty" json:"password,omitempty"` // odoo: password, by reference
	APIKey    secret.Ref `yaml:"api_key,omitempty" json:"api_key,omitempty"`   // odoo: API key, by reference (preferred over a password)
	Protocol  string     `yaml:"protocol,omitempty" json:"protocol,omitempty" jsonschema:"enum=auto,enum=json2,enum=jsonrpc,enum=xmlrpc"`
	Insecure  bool       `yaml:"insecure,omitempty" json:"insecure,omitempty"`     // odoo: allow plain HTTP or an unverified certificate outside loopback
	CAFile    string     `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`       // odoo: extra trusted CAs (PEM), relative to the plan
	PinSHA256 string     `yaml:"pin_sha256,omitempty" json:"pin_sha256,omitempty"` // odoo: hex SHA-256 of the server's public key

	// Namespace is the plan's namespace, filled in when the plan is
	// loaded: an odoo source names records without an external ID in it.
	Namespace string `yaml:"-" json:"-"`
}

// Select says which rows of a source an entity reads: the `from:` of an
// entity in a plan. For an odoo source Table is the model (res.partner),
// Domain an optional search domain and Fields the fields to read (empty:
// every stored field that is not one2many or binary).
type Select struct {
	Source string   `yaml:"source" json:"source"`
	Table  string   `yaml:"table,omitempty" json:"table,omitempty"`
	Query  string   `yaml:"query,omitempty" json:"query,omitempty"`
	File   string   `yaml:"file,omitempty" json:"file,omitempty"`
	Sheet  string   `yaml:"sheet,omitempty" json:"sheet,omitempty"`
	Domain []any    `yaml:"domain,omitempty" json:"domain,omitempty"`
	Fields []string `yaml:"fields,omitempty" json:"fields,omitempty"`
}
