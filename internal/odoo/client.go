package odoo

import (
	"context"
	"errors"
	"fmt"
	"github.com/ferry-migrate/ferry/internal/odoo/jsonv"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Version is the server's version.
type Version struct {
	Major int    // 16, 17, 18, 19 (a SaaS "saas~17" is 17)
	Minor int    // 0 for a major release, 4 for saas~17.4
	Serie string // "18.0"
	Full  string // "18.0+e"
}

// Client talks to one Odoo database as one user. It is safe for concurrent
// use.
type Client struct {
	cfg      Config
	w        *wire
	p        protocol
	uid      int64
	ver      Version
	warnings []string
	backoff  time.Duration
}

// Dial detects the server's version, picks the transport and
// authenticates. Warnings (insecure transport, deprecated JSON-RPC on 19+)
// are in Warnings.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	cfg.defaults()
	base, warn, err := cfg.check()
	if err != nil {
		return nil, err
	}
	w, err := newWire(cfg, base)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, w: w, warnings: warn, backoff: 250 * time.Millisecond}
	if c.ver, err = c.detect(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", secretURL(cfg.URL), err)
	}
	if err := c.choose(); err != nil {
		return nil, err
	}
	if c.uid, err = c.p.authenticate(ctx); err != nil {
		return nil, fmt.Errorf("%s, database %s, login %s: %w", secretURL(cfg.URL), cfg.Database, cfg.Login, err)
	}
	return c, nil
}

func secretURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	return s
}

// detect reads GET /web/version (19+), then common.version.
func (c *Client) detect(ctx context.Context) (Version, error) {
	r, err := c.w.do(ctx, http.MethodGet, "/web/version", nil, nil)
	if err != nil {
		return Version{}, err
	}
	if r.status == http.StatusOK && !r.isHTML() {
		if v, err := jsonv.Decode(r.body); err == nil {
			if m, ok := v.(map[string]any); ok {
				return parseVersion(m["version_info"], m["version"])
			}
		}
	}
	var v any
	if c.cfg.Transport == XMLRPC {
		v, err = (&xmlRPC{w: c.w}).rpc(ctx, "common", "version")
	} else {
		v, err = (&jsonRPC{w: c.w}).rpc(ctx, "common", "version", []any{})
	}
	if err != nil {
		return Version{}, err
	}
	m, _ := v.(map[string]any)
	return parseVersion(m["server_version_info"], m["server_version"])
}

// parseVersion reads a version_info tuple; MAJOR may be "saas~17".
func parseVersion(info, full any) (Version, error) {
	list, _ := info.([]any)
	s, _ := full.(string)
	if len(list) < 2 {
		return Version{}, &Error{Kind: KindProtocol, Message: fmt.Sprintf("the server did not report its version (got %v)", info)}
	}
	v := Version{Full: s}
	switch m := list[0].(type) {
	case int64:
		v.Major = int(m)
	case string:
		n, err := strconv.Atoi(strings.TrimPrefix(m, "saas~"))
		if err != nil {
			return Version{}, &Error{Kind: KindProtocol, Message: fmt.Sprintf("unreadable server version %q", m)}
		}
		v.Major = n
	}
	minor, _ := asInt(list[1])
	v.Minor = int(minor)
	v.Serie = fmt.Sprintf("%d.%d", v.Major, v.Minor)
	return v, nil
}

// choose picks the protocol for the detected version and credentials.
func (c *Client) choose() error {
	cr := creds{db: c.cfg.Database, login: c.cfg.Login, key: c.cfg.secret()}
	t := c.cfg.Transport
	if t == Auto {
		t = JSONRPC
		if c.ver.Major >= 19 {
			if !c.cfg.APIKey.IsZero() {
				t = JSON2
			} else {
				c.warnings = append(c.warnings, "using JSON-RPC with a password: Odoo 19 deprecates /jsonrpc and has announced its removal; configure an API key to use JSON-2")
			}
		}
	}
	switch t {
	case JSON2:
		if c.ver.Major < 19 {
			return fmt.Errorf("JSON-2 needs Odoo 19 or later; this server is %s", c.ver.Serie)
		}
		if c.cfg.APIKey.IsZero() {
			return errors.New("JSON-2 needs an API key (FERRY_ODOO_API_KEY): Odoo refuses a password as bearer token")
		}
		c.p = &json2{w: c.w, cr: cr}
	case XMLRPC:
		c.p = &xmlRPC{w: c.w, cr: cr}
	default:
		c.p = &jsonRPC{w: c.w, cr: cr}
	}
	return nil
}

// UID is the authenticated user's id.
func (c *Client) UID() int64 { return c.uid }

// Version is the server's version.
func (c *Client) Version() Version { return c.ver }

// Transport is the transport in use.
func (c *Client) Transport() Transport { return c.p.name() }

// Warnings are what Dial found worth telling the user.
func (c *Client) Warnings() []string { return append([]string(nil), c.warnings...) }

// TLS reports whether the connection is encrypted.
func (c *Client) TLS() bool { return c.w.base.Scheme == "https" }

// Database is the configured database name.
func (c *Client) Database() string { return c.cfg.Database }

// URLString is the base URL.
func (c *Client) URLString() string { return c.w.base.String() }

// Login is the configured login.
func (c *Client) Login() string { return c.cfg.Login }

// Execute calls a model method with execute_kw-style arguments (ids first
// for record methods) and returns its JSON-like result. On JSON-2 the
// positional arguments of the methods Ferry knows are named for it.
func (c *Client) Execute(ctx context.Context, model, method string, args []any, kwargs map[string]any) (any, error) {
	cl, err := positional(model, method, args, kwargs)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, cl)
}

// context builds the call context: tz UTC always (load reads datetimes in
// the context's tz), lang, and the configured keys, overridden by extra.
func (c *Client) context(extra map[string]any) map[string]any {
	ctx := map[string]any{"tz": "UTC"}
	if c.cfg.Lang != "" {
		ctx["lang"] = c.cfg.Lang
	}
	for k, v := range c.cfg.Context {
		ctx[k] = v
	}
	for k, v := range extra {
		ctx[k] = v
	}
	return ctx
}

// do sends a call, retrying transient failures when that is safe.
func (c *Client) do(ctx context.Context, cl *call) (any, error) {
	extra, _ := cl.Kwargs["context"].(map[string]any)
	if cl.Kwargs != nil {
		delete(cl.Kwargs, "context")
	}
	cl.Context = c.context(extra)
	for attempt := 0; ; attempt++ {
		v, err := c.p.execute(ctx, c.uid, cl)
		if err == nil {
			return v, nil
		}
		var e *Error
		if !errors.As(err, &e) || attempt >= c.cfg.Retries || !c.mayRetry(cl.Method, e) {
			return nil, err
		}
		if werr := c.wait(ctx, attempt); werr != nil {
			return nil, err
		}
	}
}

// idempotent methods give the same result when repeated, so an ambiguous
// failure (the request may have run) can be retried. load is idempotent
// because Ferry always sends external IDs.
var idempotent = map[string]bool{
	"search": true, "search_read": true, "search_count": true, "read": true, "fields_get": true,
	"name_search": true, "read_group": true, "formatted_read_group": true, "get_external_id": true,
	"check_object_reference": true, "check_access_rights": true, "has_access": true, "context_get": true,
	"default_get": true, "export_data": true, "load": true, "write": true,
}

// mayRetry: transient errors only; a concurrency error means Odoo rolled
// the transaction back, and an unsent request did nothing, so both may be
// repeated for any method; otherwise only idempotent methods are.
func (c *Client) mayRetry(method string, e *Error) bool {
	if !e.Retryable() || c.cfg.Retries < 0 {
		return false
	}
	return e.Kind == KindConcurrency || !e.Sent || idempotent[method]
}

func (c *Client) wait(ctx context.Context, attempt int) error {
	d := c.backoff << attempt
	if d > 10*time.Second || d <= 0 {
		d = 10 * time.Second
	}
	d = d/2 + rand.N(d/2+1) // jitter
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// SetBackoff sets the first retry delay (tests use a short one).
func (c *Client) SetBackoff(d time.Duration) { c.backoff = d }

// Page fetches path with GET and no credentials (a public page such as
// /web/database/manager) and returns the HTTP status and body.
func (c *Client) Page(ctx context.Context, path string) (int, []byte, error) {
	r, err := c.w.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return 0, nil, err
	}
	return r.status, r.body, nil
}

// Insecure reports whether the client was allowed to skip TLS checks or
// use plain HTTP outside loopback.
func (c *Client) Insecure() bool { return c.cfg.Insecure }

// SetContext adds key to the context of every later call (a copy of the
// configured context is changed). Call it before the client is shared
// between goroutines.
func (c *Client) SetContext(key string, v any) {
	m := make(map[string]any, len(c.cfg.Context)+1)
	for k, x := range c.cfg.Context {
		m[k] = x
	}
	m[key] = v
	c.cfg.Context = m
}
