package odoosrc

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
)

// DefaultPage is how many records one keyset page reads.
const DefaultPage = 1000

// Column names the source adds before the model's fields.
const (
	IDColumn    = "id"    // the record's database id in the old Odoo
	XMLIDColumn = "xmlid" // the record's external ID
)

// TypeList is the column type of many2many and one2many fields: each
// value is a []any of external IDs.
const TypeList record.Type = "list"

// ErrClosed is returned by Scan after Close.
var ErrClosed = errors.New("odoosrc: the source is closed")

// Options say which records of which model a Source reads.
type Options struct {
	// Source is the plan's name of the source: positions and errors
	// carry it.
	Source string
	// Namespace is the plan's namespace, the module part of the external
	// ID given to a record that has none.
	Namespace string
	// Model is the Odoo model to read (res.partner).
	Model string
	// Domain restricts the records read (an Odoo search domain).
	Domain []any
	// Fields are the fields to read; empty reads every stored field that
	// is not one2many or binary.
	Fields []string
	// Page is how many records one page reads (DefaultPage when 0).
	Page int
}

// Source reads the records of one model of an Odoo database.
type Source struct {
	opts    Options
	c       *odoo.Client
	domain  odoo.Domain
	fields  []field // the model's fields read, in column order
	schema  record.Schema
	warning string
	closed  atomic.Bool
}

var _ source.Source = (*Source)(nil)

var namespaceRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Open connects to the Odoo database cfg describes and prepares to read
// opts.Model: it reads the model's fields (fields_get) and searches one
// record, so an unknown model, an unknown field, a bad domain or a
// missing read right is reported here.
func Open(ctx context.Context, cfg odoo.Config, opts Options) (*Source, error) {
	s := &Source{opts: opts}
	if err := s.check(cfg); err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := odoo.Dial(dctx, cfg)
	if err != nil {
		return nil, s.dialError(cfg, err)
	}
	return s.bind(ctx, c)
}

// OpenClient is Open over a client that is already connected.
func OpenClient(ctx context.Context, c *odoo.Client, opts Options) (*Source, error) {
	s := &Source{opts: opts}
	if err := s.check(odoo.Config{}); err != nil {
		return nil, err
	}
	return s.bind(ctx, c)
}

// check validates the options, and the URL's transport security in the
// words of a plan's source (the client's own message names CLI flags).
func (s *Source) check(cfg odoo.Config) error {
	switch {
	case s.opts.Source == "":
		return errors.New("odoo source: no source name")
	case s.opts.Model == "":
		return fmt.Errorf("source %s: name the Odoo model to read in table: (e.g. table: res.partner)", s.opts.Source)
	case !namespaceRE.MatchString(s.opts.Namespace):
		return fmt.Errorf("source %s: model %s: the plan's namespace %q cannot name records without an external ID", s.opts.Source, s.opts.Model, s.opts.Namespace)
	}
	if s.opts.Page <= 0 {
		s.opts.Page = DefaultPage
	}
	if u, err := url.Parse(cfg.URL); err == nil && u.Scheme == "http" && !odoo.IsLoopback(u.Hostname()) && !cfg.Insecure {
		return fmt.Errorf("source %s: refusing plain HTTP to %s: the credentials and the data would cross the network unencrypted (use https, or insecure: true in the source to accept the risk)", s.opts.Source, u.Host)
	}
	domain, err := normalizeDomain(s.opts.Domain)
	if err != nil {
		return s.errorf("domain: %w", err)
	}
	s.domain = domain
	return nil
}

// bind reads the model's fields, picks the columns and checks that the
// user may search the model with the domain.
func (s *Source) bind(ctx context.Context, c *odoo.Client) (*Source, error) {
	s.c = c
	for _, w := range c.Warnings() {
		if strings.HasPrefix(w, "insecure") {
			s.warning = "source " + s.opts.Source + ": " + w
		}
	}
	desc, err := c.FieldsGet(ctx, s.opts.Model, []string{"type", "store", "relation", "string"})
	if err != nil {
		return nil, s.callError("read the model's fields", err)
	}
	if s.fields, err = pick(desc, s.opts.Fields, c.Version().Serie); err != nil {
		return nil, s.errorf("%w", err)
	}
	s.schema = schemaOf(s.fields)
	if _, err := s.search(ctx, 0, 0, 1); err != nil {
		return nil, err
	}
	return s, nil
}

// Schema returns id, xmlid and the fields read, in that order.
func (s *Source) Schema(context.Context) (record.Schema, error) {
	return record.Schema{Columns: append([]record.Column(nil), s.schema.Columns...)}, nil
}

// Warning is a sentence about the connection's security for the operator
// (plain HTTP or an unverified certificate outside loopback), or "".
func (s *Source) Warning() string { return s.warning }

// Client is the connection to the old Odoo.
func (s *Source) Client() *odoo.Client { return s.c }

// Close ends the source; it is safe to call twice. The client keeps no
// session open on the server, so there is nothing to log out of.
func (s *Source) Close() error {
	s.closed.Store(true)
	return nil
}

func (s *Source) errorf(format string, a ...any) error {
	return fmt.Errorf("source %s: model %s: "+format, append([]any{s.opts.Source, s.opts.Model}, a...)...)
}

// callError says what went wrong with a call on the model, by the kind of
// failure, and keeps the Odoo error for errors.As.
func (s *Source) callError(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	what := ""
	switch {
	case odoo.IsKind(err, odoo.KindTransport), odoo.IsKind(err, odoo.KindUnavailable):
		what = "the server cannot be reached: "
	case odoo.IsKind(err, odoo.KindAuth):
		what = "the server refused the credentials: "
	case odoo.IsKind(err, odoo.KindAccess):
		what = "access refused: the user may not read this model: "
	case odoo.IsKind(err, odoo.KindNotFound):
		what = "the model does not exist in database " + s.c.Database() + ": "
	}
	return s.errorf("%s: %s%w", op, what, err)
}

// dialError says why connecting failed; the client's errors hold the URL,
// database and login, never the secret.
func (s *Source) dialError(cfg odoo.Config, err error) error {
	what := "cannot connect: "
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case odoo.IsKind(err, odoo.KindTransport), odoo.IsKind(err, odoo.KindUnavailable), errors.Is(err, context.DeadlineExceeded):
		what = "the server cannot be reached: "
	case odoo.IsKind(err, odoo.KindAuth):
		what = "the server refused the credentials (check login:, and password: or api_key:): "
	case odoo.IsKind(err, odoo.KindNotFound):
		what = "this is not an Odoo server, or it does not serve database " + cfg.Database + ": "
	}
	return s.errorf("%s%w", what, err)
}
