package fastpath

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// Options tune a Checker.
type Options struct {
	// Lang is the language translated fields are compared in: the one the
	// RPC client reads with (default en_US, Odoo's fallback).
	Lang string
	// Fanout is how many segments a differing segment is split into
	// (default 64). LeafSize is the number of records in differing
	// segments at which the descent stops splitting and reads their
	// digests one by one (default 4096).
	Fanout, LeafSize int
	// Workers is how many connections Open makes (default 2): a large
	// query is split between them, all reading one snapshot.
	Workers int
}

// Checker compares expected records with Odoo's database over one
// read-only connection. It is not safe for concurrent use.
type Checker struct {
	conns    []*pgx.Conn // the first one also reads the catalog
	own      bool
	cat      *catalog
	lang     string
	fanout   int
	leaf     int
	encoding string
	// parallelMin is the query size from which the workers share it;
	// detailChunk bounds the records one detail query reads.
	parallelMin, detailChunk int
}

var _ verify.FastPath = (*Checker)(nil)

// Open connects to Odoo's database at dsn, in a session whose
// transactions are read-only, and checks that it can be read.
func Open(ctx context.Context, dsn string, opts Options) (*Checker, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("fastpath: parse the database DSN: %w", err)
	}
	cfg.RuntimeParams["default_transaction_read_only"] = "on"
	cfg.RuntimeParams["application_name"] = "ferry verify"
	workers := opts.Workers
	if workers < 1 {
		workers = 2
	}
	var conns []*pgx.Conn
	for range workers {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			closeAll(ctx, conns)
			return nil, fmt.Errorf("fastpath: connect to the database: %w", err)
		}
		conns = append(conns, conn)
	}
	c, err := New(ctx, conns[0], opts)
	if err != nil {
		closeAll(ctx, conns)
		return nil, err
	}
	c.conns, c.own = conns, true
	return c, nil
}

func closeAll(ctx context.Context, conns []*pgx.Conn) {
	for _, c := range conns {
		_ = c.Close(ctx)
	}
}

// New wraps an open connection (one worker); Close does not close it.
func New(ctx context.Context, conn *pgx.Conn, opts Options) (*Checker, error) {
	c := &Checker{conns: []*pgx.Conn{conn}, cat: newCatalog(conn), lang: opts.Lang, fanout: opts.Fanout, leaf: opts.LeafSize,
		parallelMin: parallelMin, detailChunk: detailChunk}
	if c.lang == "" {
		c.lang = "en_US"
	}
	if !langRe.MatchString(c.lang) {
		return nil, fmt.Errorf("fastpath: %q is not a language code", c.lang)
	}
	if c.fanout < 2 {
		c.fanout = 64
	}
	if c.leaf < 1 {
		c.leaf = 4096
	}
	if err := conn.QueryRow(ctx, "SHOW server_encoding").Scan(&c.encoding); err != nil {
		return nil, fmt.Errorf("fastpath: read the database encoding: %w", err)
	}
	cols, err := c.cat.columns(ctx, "ir_model_data")
	if err != nil {
		return nil, fmt.Errorf("fastpath: %w", err)
	}
	if cols["module"] == "" || cols["name"] == "" || cols["res_id"] == "" {
		return nil, errors.New("fastpath: the database has no ir_model_data table: is it an Odoo database?")
	}
	return c, nil
}

// Close closes the connections if Open made them.
func (c *Checker) Close(ctx context.Context) error {
	if !c.own {
		return nil
	}
	var errs []error
	for _, conn := range c.conns {
		errs = append(errs, conn.Close(ctx))
	}
	return errors.Join(errs...)
}

// Index reads the external IDs under namespace from ir_model_data.
func (c *Checker) Index(ctx context.Context, namespace string, fn func(xmlid, model string, id int64)) error {
	rows, err := c.conns[0].Query(ctx, `SELECT name, model, coalesce(res_id, 0)::int8 FROM ir_model_data WHERE module = $1`, namespace)
	if err != nil {
		return err
	}
	defer rows.Close()
	var name, model string
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&name, &model, &id}, func() error {
		fn(namespace+"."+name, model, id)
		return nil
	})
	return err
}

// Supports reports why the fields of model cannot be compared in the
// database ("" when they can).
func (c *Checker) Supports(ctx context.Context, model string, fields []verify.Field) (string, error) {
	_, err := c.plan(ctx, model, fields)
	var u unsupported
	if errors.As(err, &u) {
		return string(u), nil
	}
	return "", err
}

// Begin starts a batch of rows of model with exactly fields; it returns
// the reason instead when they cannot be compared in the database.
func (c *Checker) Begin(ctx context.Context, model string, fields []verify.Field, ids verify.IDs) (verify.FastBatch, string, error) {
	p, err := c.plan(ctx, model, fields)
	var u unsupported
	if errors.As(err, &u) {
		return nil, string(u), nil
	}
	if err != nil {
		return nil, "", err
	}
	return &batch{c: c, p: p, ids: ids}, "", nil
}

// batch is one Begin's rows, kept in canonical form only.
type batch struct {
	c    *Checker
	p    *modelPlan
	ids  verify.IDs
	recs []Record
}

func (b *batch) Add(e verify.Expected) {
	want := make([]string, len(b.p.cols))
	for i, col := range b.p.cols {
		want[i] = WantToken(b.p.model, col.f, verify.WantValue(e.Row, col.f.Name), b.ids)
	}
	b.recs = append(b.recs, Record{Entity: e.Row.Entity, ExternalID: e.Row.ExternalID, ID: e.ID, Want: want})
}

func (b *batch) Finish(ctx context.Context, emit func(verify.Result)) error {
	_, err := b.c.compare(ctx, b.p, b.recs, b.ids, emit)
	b.recs = nil
	return err
}

// Spec names what Compare compares: a model and its fields, in the order
// of each Record's Want.
type Spec struct {
	Model  string
	Fields []verify.Field
}

// Record is one expected record: its external ID, the database id the
// ledger holds for it (0 if none), and the canonical value of each field
// of the Spec (WantToken).
type Record struct {
	Entity     string
	ExternalID string
	ID         int64
	Want       []string
}

// Stats describe one comparison.
type Stats struct {
	Records int
	// Queries counts the queries: digests per level of the descent (one
	// per worker sharing it), per-record digests, detail reads.
	Queries int
	// Levels counts the digest passes (per-record digests included);
	// Detailed counts the records read and compared field by field.
	Levels, Detailed       int
	Match, Differ, Missing int
}

// Compare compares recs with the records Odoo holds under their external
// IDs and calls emit once per record, with the verdict verify's RPC
// comparison gives. names renders relation ids in differences (nil:
// database ids).
func (c *Checker) Compare(ctx context.Context, spec Spec, recs []Record, names verify.Resolver, emit func(verify.Result)) (Stats, error) {
	p, err := c.plan(ctx, spec.Model, spec.Fields)
	if err != nil {
		return Stats{}, fmt.Errorf("fastpath: %s: %w", spec.Model, err)
	}
	return c.compare(ctx, p, recs, names, emit)
}

// WantToken renders the value a row means for field f of model as the
// fast path compares it: verify's canonical form for scalars; for
// relations the sorted database ids, joined by commas, each external ID
// resolved through ids the way verify's Resolver names it back (an
// external ID that does not resolve stays "xmlid:<id>", which no record
// matches).
func WantToken(model string, f verify.Field, v any, ids verify.IDs) string {
	switch f.Type {
	case "many2one":
		r := asRef(v)
		if r.ExternalID == "" && r.ID == 0 && verify.ParentSynced(model, f.Name) && !verify.EmptyWant(v) {
			return wantEmpty // an empty reference is not "left empty": Odoo's sync does not excuse it
		}
		return refTokens(f.Relation, []record.Ref{r}, ids)
	case "many2many", "one2many":
		refs, _ := v.([]record.Ref)
		return refTokens(f.Relation, refs, ids)
	}
	return verify.CanonicalScalar(f, v)
}

// wantEmpty marks an empty wanted reference that ParentSynced does not
// excuse. SQL never yields it (relations read as digits and commas).
const wantEmpty = "\x01"

func asRef(v any) record.Ref {
	switch r := v.(type) {
	case record.Ref:
		return r
	case *record.Ref:
		if r != nil {
			return *r
		}
	}
	return record.Ref{}
}

// Extras lists the records of model whose external ID is under module
// and starts with prefix ("customers_") but is not among recs: records
// the plan's namespace holds that no expected row claims, as verify
// reports them. (verify.Run finds them from Index itself.)
func (c *Checker) Extras(ctx context.Context, module, model, prefix string, recs []Record, entity string) ([]verify.Result, error) {
	xs := make([]string, len(recs))
	for i, r := range recs {
		xs[i] = r.ExternalID
	}
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
	rows, err := c.conns[0].Query(ctx, `SELECT d.module || '.' || d.name, coalesce(d.res_id, 0)::int8 FROM ir_model_data d
		WHERE d.module = $1 AND d.model = $2 AND d.name LIKE $3
		AND NOT EXISTS (SELECT 1 FROM unnest($4::text[]) e(x) WHERE e.x = d.module || '.' || d.name)
		ORDER BY 1`, module, model, like, xs)
	if err != nil {
		return nil, fmt.Errorf("fastpath: extras of %s: %w", model, err)
	}
	var out []verify.Result
	var x string
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&x, &id}, func() error {
		out = append(out, verify.Result{Entity: entity, Model: model, ExternalID: x, ID: id, Status: verify.Extra})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fastpath: extras of %s: %w", model, err)
	}
	return out, nil
}
