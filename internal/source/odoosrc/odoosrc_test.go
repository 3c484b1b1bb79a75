package odoosrc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

// old is a sandbox playing the old Odoo, with a client on it.
type old struct {
	sb  *sandbox.Server
	cfg odoo.Config
	c   *odoo.Client
}

func newOld(t *testing.T, version int) *old {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Version: version})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sb.Close() })
	cfg := odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New(sb.AdminKey())}
	c, err := odoo.Dial(context.Background(), cfg)
	require.NoError(t, err)
	return &old{sb: sb, cfg: cfg, c: c}
}

// create creates a record, deleted when the test ends (a real Odoo keeps
// no trace of the test).
func (o *old) create(t *testing.T, model string, vals map[string]any) int64 {
	t.Helper()
	ids, err := o.c.Create(context.Background(), model, []map[string]any{vals})
	require.NoError(t, err)
	t.Cleanup(func() { _ = o.c.Unlink(context.Background(), model, ids) })
	return ids[0]
}

func (o *old) open(t *testing.T, opts Options) *Source {
	t.Helper()
	if opts.Source == "" {
		opts.Source = "old"
	}
	if opts.Namespace == "" {
		opts.Namespace = "acme"
	}
	s, err := Open(context.Background(), o.cfg, opts)
	require.NoError(t, err)
	return s
}

func versions(t *testing.T, fn func(t *testing.T, o *old)) {
	for _, v := range []int{18, 19} {
		t.Run(fmt.Sprintf("odoo%d", v), func(t *testing.T) { fn(t, newOld(t, v)) })
	}
}

func scanAll(t *testing.T, s source.Source, after record.Position) []*record.Record {
	t.Helper()
	var out []*record.Record
	require.NoError(t, s.Scan(context.Background(), after, func(r *record.Record) error { out = append(out, r); return nil }))
	return out
}

// partners seeds tags and partners whose names start with prefix and
// returns the rows the source must deliver for partnerFields with the
// domain of conf(prefix).
func partners(t *testing.T, o *old, prefix string) [][]any {
	vip := o.create(t, "res.partner.category", map[string]any{"name": prefix + " VIP"})
	gone := o.create(t, "res.partner.category", map[string]any{"name": prefix + " Gone", "active": false})
	co := o.create(t, "res.partner", map[string]any{"name": prefix + " Co", "is_company": true, "color": 3, "partner_latitude": 50.8503,
		"category_id": []any{[]any{6, 0, []any{vip, gone}}}})
	jane := o.create(t, "res.partner", map[string]any{"name": prefix + " Jane", "parent_id": co, "email": "jane@example.com"})
	archived := o.create(t, "res.partner", map[string]any{"name": prefix + " Archived", "parent_id": 1, "active": false})
	plain := o.create(t, "res.partner", map[string]any{"name": prefix + " Plain", "category_id": []any{[]any{6, 0, []any{vip}}}})
	o.create(t, "res.partner", map[string]any{"name": "Someone else"})
	x := func(model string, id int64) string { return fmt.Sprintf("acme.%s_%d", model, id) }
	return [][]any{
		{co, x("res_partner", co), prefix + " Co", true, int64(3), 50.8503, nil, []any{x("res_partner_category", vip), x("res_partner_category", gone)}, nil, true},
		{jane, x("res_partner", jane), prefix + " Jane", false, int64(0), 0.0, x("res_partner", co), []any{}, "jane@example.com", true},
		{archived, x("res_partner", archived), prefix + " Archived", false, int64(0), 0.0, "base.main_partner", []any{}, nil, false},
		{plain, x("res_partner", plain), prefix + " Plain", false, int64(0), 0.0, nil, []any{x("res_partner_category", vip)}, nil, true},
	}
}

func conf(prefix string) []any { return []any{[]any{"name", "=like", prefix + " %"}} }

var partnerFields = []string{"name", "is_company", "color", "partner_latitude", "parent_id", "category_id", "email", "active"}

func TestConformance(t *testing.T) {
	versions(t, func(t *testing.T, o *old) {
		want := partners(t, o, "Conf")
		sourcetest.Run(t, func(t *testing.T) source.Source {
			return o.open(t, Options{Model: "res.partner", Domain: conf("Conf"), Fields: partnerFields, Page: 2})
		}, want)
	})
}

func TestSchemaTypesTheColumns(t *testing.T) {
	versions(t, func(t *testing.T, o *old) {
		s := o.open(t, Options{Model: "res.partner", Fields: partnerFields})
		sch, err := s.Schema(context.Background())
		require.NoError(t, err)
		require.Equal(t, []record.Column{
			{Name: "id", Type: record.TypeInt}, {Name: "xmlid", Type: record.TypeString},
			{Name: "name", Type: record.TypeString}, {Name: "is_company", Type: record.TypeBool},
			{Name: "color", Type: record.TypeInt}, {Name: "partner_latitude", Type: record.TypeFloat},
			{Name: "parent_id", Type: record.TypeString}, {Name: "category_id", Type: TypeList},
			{Name: "email", Type: record.TypeString}, {Name: "active", Type: record.TypeBool},
		}, sch.Columns)
	})
}

// Every stored field but one2many and binary ones is read by default, and
// what the default reads follows the server's version.
func TestDefaultFieldsComeFromFieldsGet(t *testing.T) {
	versions(t, func(t *testing.T, o *old) {
		o.create(t, "res.partner", map[string]any{"name": "Conf Co"})
		s := o.open(t, Options{Model: "res.partner"})
		sch, err := s.Schema(context.Background())
		require.NoError(t, err)
		names := sch.Names()
		require.Equal(t, []string{"id", "xmlid"}, names[:2])
		require.Contains(t, names, "name")
		require.Contains(t, names, "category_id")
		require.NotContains(t, names, "child_ids", "one2many")
		require.NotContains(t, names, "image_1920", "binary")
		require.NotContains(t, names, "display_name", "not stored")
		if o.sb.Version() == 18 {
			require.Contains(t, names, "mobile")
		} else {
			require.NotContains(t, names, "mobile", "Odoo 19 has no res.partner.mobile")
		}
		recs := scanAll(t, s, record.Position{})
		require.NotEmpty(t, recs)
		for _, r := range recs {
			require.Empty(t, r.Problem, "%s: %v", r.Pos, r.Values)
		}
	})
}

// many2one values are the external ID of the record pointed to: its own
// (base.EUR) or <namespace>.<model>_<id>; many2many values the list of
// them; one get_external_id call per page per model, over every transport.
func TestRelationsAreExternalIDs(t *testing.T) {
	for _, tc := range []struct {
		version   int
		transport odoo.Transport
	}{{18, odoo.JSONRPC}, {18, odoo.XMLRPC}, {19, odoo.JSON2}, {19, odoo.JSONRPC}} {
		t.Run(fmt.Sprintf("odoo%d/%s", tc.version, tc.transport), func(t *testing.T) {
			o := newOld(t, tc.version)
			o.cfg.Transport = tc.transport
			eur, err := o.c.Search(context.Background(), "res.currency", odoo.Domain{[]any{"name", "=", "EUR"}}, odoo.Page{})
			require.NoError(t, err)
			tag := o.create(t, "res.partner.category", map[string]any{"name": "T"})
			co := o.create(t, "res.partner", map[string]any{"name": "Co", "is_company": true, "category_id": []any{[]any{6, 0, []any{tag}}}})
			p := o.create(t, "res.partner", map[string]any{"name": "P", "parent_id": co, "country_id": countryID(t, o, "BE"),
				"category_id": []any{[]any{6, 0, []any{tag}}}})
			so := o.create(t, "sale.order", map[string]any{"partner_id": p, "date_order": "2024-03-04 05:06:07", "validity_date": "2024-04-01"})
			_ = eur

			s := o.open(t, Options{Model: "res.partner", Domain: []any{[]any{"id", "in", []any{co, p}}},
				Fields: []string{"parent_id", "country_id", "category_id", "company_id"}})
			recs := scanAll(t, s, record.Position{})
			require.Len(t, recs, 2)
			require.Equal(t, map[string]any{"id": p, "xmlid": fmt.Sprintf("acme.res_partner_%d", p),
				"parent_id": fmt.Sprintf("acme.res_partner_%d", co), "country_id": "base.be",
				"category_id": []any{fmt.Sprintf("acme.res_partner_category_%d", tag)}, "company_id": nil}, recs[1].Values)

			s = o.open(t, Options{Model: "sale.order", Fields: []string{"partner_id", "date_order", "validity_date", "amount_total"}})
			recs = scanAll(t, s, record.Position{})
			require.Len(t, recs, 1)
			require.Equal(t, map[string]any{"id": so, "xmlid": fmt.Sprintf("acme.sale_order_%d", so),
				"partner_id":    fmt.Sprintf("acme.res_partner_%d", p),
				"date_order":    time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC),
				"validity_date": time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC),
				"amount_total":  0.0}, recs[0].Values)

			// Records with an external ID of their own carry it.
			s = o.open(t, Options{Model: "res.country", Domain: []any{[]any{"code", "in", []any{"BE", "FR"}}}, Fields: []string{"code", "currency_id"}})
			recs = scanAll(t, s, record.Position{})
			require.Len(t, recs, 2)
			for _, r := range recs {
				require.Equal(t, "base."+lower(r.Values["code"].(string)), r.Values["xmlid"])
				require.Equal(t, "base.EUR", r.Values["currency_id"])
			}
		})
	}
}

func countryID(t *testing.T, o *old, code string) int64 {
	ids, err := o.c.Search(context.Background(), "res.country", odoo.Domain{[]any{"code", "=", code}}, odoo.Page{})
	require.NoError(t, err)
	require.Len(t, ids, 1)
	return ids[0]
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// A scan reads page after page without holding more than one, and resumes
// after a cursor or, without one, after a number of rows.
func TestPagesAndResume(t *testing.T) {
	o := newOld(t, 18)
	var ids []int64
	for i := range 25 {
		ids = append(ids, o.create(t, "res.partner", map[string]any{"name": fmt.Sprintf("Page %02d", i)}))
	}
	s := o.open(t, Options{Model: "res.partner", Domain: []any{[]any{"name", "=like", "Page %"}}, Fields: []string{"name"}, Page: 7})
	all := scanAll(t, s, record.Position{})
	require.Len(t, all, 25)
	for i, r := range all {
		require.Equal(t, ids[i], r.Values["id"])
		require.Equal(t, int64(i+1), r.Pos.Row)
		require.Equal(t, fmt.Sprint(ids[i]), r.Pos.Cursor)
		require.Equal(t, "old row "+fmt.Sprint(i+1), r.Pos.String())
	}
	rest := scanAll(t, s, record.Position{Source: "old", Row: 10})
	require.Len(t, rest, 15)
	require.Equal(t, all[10].Pos, rest[0].Pos, "a position without a cursor skips its rows")
	rest = scanAll(t, s, all[20].Pos)
	require.Equal(t, all[21:], rest)
	require.ErrorContains(t, s.Scan(context.Background(), record.Position{Cursor: "x"}, func(*record.Record) error { return nil }),
		`source old: model res.partner: cannot resume from "x": it is not a record id`)
}

func TestErrorsNameSourceModelAndCause(t *testing.T) {
	o := newOld(t, 18)
	key := o.sb.AdminKey()
	dead := *o
	dead.cfg.URL = "http://127.0.0.1:1"
	dead.cfg.Retries = -1
	wrongKey := *o
	wrongKey.cfg.APIKey = secret.New("0123456789abcdef0123456789abcdef01234567")
	wrongDB := *o
	wrongDB.cfg.Database = "nope"
	refused := *o
	refused.cfg.URL = (&calls{n: map[string]int{}, fail: map[string]string{"res.partner.search": "odoo.exceptions.AccessError"}}).proxy(t, o.sb.URL)
	refused.cfg.Transport = odoo.JSONRPC
	cases := []struct {
		name string
		o    *old
		opts Options
		want string
	}{
		{"unknown database", &wrongDB, Options{Model: "res.partner"}, "source old: model res.partner: cannot connect: "},
		{"unreachable", &dead, Options{Model: "res.partner"}, "source old: model res.partner: the server cannot be reached: "},
		{"wrong credentials", &wrongKey, Options{Model: "res.partner"}, "source old: model res.partner: the server refused the credentials (check login:, and password: or api_key:): "},
		{"unknown model", o, Options{Model: "res.nope"}, "source old: model res.nope: read the model's fields: the model does not exist in database sandbox: "},
		{"access refused", &refused, Options{Model: "res.partner"}, "source old: model res.partner: search: access refused: the user may not read this model: odoo res.partner.search: AccessError: You are not allowed"},
		{"unknown field", o, Options{Model: "res.partner", Fields: []string{"name", "detailed_type", "nope"}},
			"source old: model res.partner: fields: in Odoo 18.0 the model has no field detailed_type (similar: type), nope: fields_get does not list them"},
		{"bad domain", o, Options{Model: "res.partner", Domain: []any{"name"}}, `source old: model res.partner: domain: item 1: "name" is not an operator`},
		{"no model", o, Options{}, "source old: name the Odoo model to read in table: (e.g. table: res.partner)"},
		{"plain http", &old{cfg: odoo.Config{URL: "http://erp.example.com", Database: "x", Login: "a", Password: secret.New("p")}},
			Options{Model: "res.partner"}, "source old: refusing plain HTTP to erp.example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Source, opts.Namespace = "old", "acme"
			_, err := Open(context.Background(), tc.o.cfg, opts)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), key)
			require.NotContains(t, err.Error(), "0123456789abcdef0123456789abcdef01234567")
		})
	}
}

func TestCallbackErrorAndCloseAreHonoured(t *testing.T) {
	o := newOld(t, 19)
	o.create(t, "res.partner", map[string]any{"name": "Conf"})
	s := o.open(t, Options{Model: "res.partner", Fields: []string{"name"}})
	require.NoError(t, s.Close())
	require.ErrorIs(t, s.Scan(context.Background(), record.Position{}, func(*record.Record) error { return nil }), ErrClosed)
	require.NoError(t, s.Close())
}

// calls counts the model methods a client sends through a proxy in front
// of the sandbox (JSON-RPC execute_kw), by "model.method".
type calls struct {
	mu   sync.Mutex
	n    map[string]int
	fail map[string]string // "model.method" → the exception class the proxy answers
}

func (c *calls) proxy(t *testing.T, target string) string {
	u, err := url.Parse(target)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		var req struct {
			Params struct {
				Method string `json:"method"`
				Args   []any  `json:"args"`
			} `json:"params"`
		}
		if json.Unmarshal(body, &req) == nil && req.Params.Method == "execute_kw" && len(req.Params.Args) > 4 {
			call := fmt.Sprintf("%v.%v", req.Params.Args[3], req.Params.Args[4])
			c.mu.Lock()
			c.n[call]++
			class := c.fail[call]
			c.mu.Unlock()
			if class != "" {
				msg := fmt.Sprintf("You are not allowed to access %v records.", req.Params.Args[3])
				_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": 1, "error": map[string]any{"code": 200,
					"message": "Odoo Server Error", "data": map[string]any{"name": class, "message": msg, "arguments": []any{msg}, "context": map[string]any{}, "debug": ""}}})
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// External IDs cost one get_external_id call per page and model, whatever
// the number of records and references; export_data is never called.
func TestOneExternalIDCallPerPageAndModel(t *testing.T) {
	o := newOld(t, 18)
	partners(t, o, "Conf")
	c := &calls{n: map[string]int{}}
	cfg := o.cfg
	cfg.URL, cfg.Transport = c.proxy(t, o.sb.URL), odoo.JSONRPC
	s, err := Open(context.Background(), cfg, Options{Source: "old", Namespace: "acme", Model: "res.partner",
		Domain: conf("Conf"), Fields: partnerFields, Page: 2})
	require.NoError(t, err)
	require.Len(t, scanAll(t, s, record.Position{}), 4)
	require.Equal(t, map[string]int{
		"res.partner.fields_get": 1,
		"res.partner.search":     1 + 3, // Open's check, then two full pages and an empty one
		"res.partner.read":       2,
		// each page: the partners themselves and the parents they point to
		// in one call, the tags in another
		"res.partner.get_external_id":          2,
		"res.partner.category.get_external_id": 2,
	}, c.n)
}
