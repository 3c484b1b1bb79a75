package odoo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/ferry-migrate/ferry/internal/odoo/jsonv"
	"github.com/ferry-migrate/ferry/internal/odoo/xmlrpc"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// protocol is one of Odoo's transports.
type protocol interface {
	name() Transport
	// authenticate returns the uid of the configured user.
	authenticate(ctx context.Context) (int64, error)
	// execute runs one model method as uid.
	execute(ctx context.Context, uid int64, c *call) (any, error)
}

type creds struct {
	db, login string
	key       secret.String
}

// --- JSON-RPC --------------------------------------------------------------

type jsonRPC struct {
	w  *wire
	cr creds
	id atomic.Int64
}

func (p *jsonRPC) name() Transport { return JSONRPC }

func (p *jsonRPC) authenticate(ctx context.Context) (int64, error) {
	v, err := p.rpc(ctx, "common", "authenticate", []any{p.cr.db, p.cr.login, p.cr.key.Reveal(), map[string]any{}})
	if err != nil {
		return 0, err
	}
	return uidOf(v)
}

func (p *jsonRPC) execute(ctx context.Context, uid int64, c *call) (any, error) {
	args, kw := c.positionalArgs()
	v, err := p.rpc(ctx, "object", "execute_kw", []any{p.cr.db, uid, p.cr.key.Reveal(), c.Model, c.Method, args, kw})
	return v, withCall(err, c)
}

func (p *jsonRPC) rpc(ctx context.Context, service, method string, args []any) (any, error) {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "call", "id": p.id.Add(1),
		"params": map[string]any{"service": service, "method": method, "args": args}})
	if err != nil {
		return nil, wrapf(KindProtocol, err, "encode request: %v", err)
	}
	r, err := p.w.do(ctx, http.MethodPost, "/jsonrpc", http.Header{"Content-Type": {"application/json"}}, body)
	if err != nil {
		return nil, err
	}
	return decodeJSONRPC(r, "/jsonrpc")
}

// decodeJSONRPC reads a JSON-RPC answer (Odoo answers errors with HTTP 200).
func decodeJSONRPC(r *reply, path string) (any, error) {
	if r.unavailable() {
		return nil, r.statusError(path)
	}
	if r.isHTML() {
		return nil, r.htmlError(path, "JSON")
	}
	if r.status != http.StatusOK {
		return nil, r.statusError(path)
	}
	v, err := jsonv.Decode(r.body)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		return nil, &Error{Kind: KindProtocol, Status: r.status, Message: fmt.Sprintf("%s answered with something that is not JSON-RPC: %.80q", path, r.body)}
	}
	if e, ok := m["error"].(map[string]any); ok {
		return nil, jsonRPCError(e)
	}
	res, ok := m["result"]
	if !ok { // Odoo leaves "result" out when the method returned None
		return NoValue{}, nil
	}
	return res, nil
}

func jsonRPCError(e map[string]any) *Error {
	data, _ := e["data"].(map[string]any)
	class, _ := data["name"].(string)
	msg, _ := data["message"].(string)
	if msg == "" {
		msg, _ = e["message"].(string)
	}
	code, _ := asInt(e["code"])
	k := classify(class, msg)
	switch {
	case code == 404:
		k = KindNotFound
	case code == 100:
		k = KindAuth
	}
	return &Error{Kind: k, Class: class, Message: msg}
}

// --- XML-RPC ---------------------------------------------------------------

type xmlRPC struct {
	w  *wire
	cr creds
}

func (p *xmlRPC) name() Transport { return XMLRPC }

func (p *xmlRPC) authenticate(ctx context.Context) (int64, error) {
	v, err := p.rpc(ctx, "common", "authenticate", p.cr.db, p.cr.login, p.cr.key.Reveal(), map[string]any{})
	if err != nil {
		return 0, err
	}
	return uidOf(v)
}

func (p *xmlRPC) execute(ctx context.Context, uid int64, c *call) (any, error) {
	args, kw := c.positionalArgs()
	v, err := p.rpc(ctx, "object", "execute_kw", p.cr.db, uid, p.cr.key.Reveal(), c.Model, c.Method, args, kw)
	if e, ok := err.(*Error); ok && isNoneFault(e) {
		return NoValue{}, nil
	}
	return v, withCall(err, c)
}

func (p *xmlRPC) rpc(ctx context.Context, service, method string, params ...any) (any, error) {
	var b bytes.Buffer
	if err := (xmlrpc.Encoder{}).Call(&b, method, params...); err != nil {
		return nil, wrapf(KindProtocol, err, "encode request: %v", err)
	}
	path := "/xmlrpc/2/" + service
	r, err := p.w.do(ctx, http.MethodPost, path, http.Header{"Content-Type": {"text/xml"}}, b.Bytes())
	if err != nil {
		return nil, err
	}
	if r.unavailable() {
		return nil, r.statusError(path)
	}
	if r.isHTML() {
		return nil, r.htmlError(path, "XML-RPC")
	}
	if r.status != http.StatusOK {
		return nil, r.statusError(path)
	}
	v, err := xmlrpc.DecodeResponse(bytes.NewReader(r.body))
	if f, ok := err.(*xmlrpc.Fault); ok {
		return nil, faultError(f.Code, f.String)
	}
	if err != nil {
		return nil, &Error{Kind: KindProtocol, Status: r.status, Message: fmt.Sprintf("%s: %v", path, err)}
	}
	return v, nil
}

// --- JSON-2 ----------------------------------------------------------------

type json2 struct {
	w  *wire
	cr creds
}

func (p *json2) name() Transport { return JSON2 }

func (p *json2) authenticate(ctx context.Context) (int64, error) {
	v, err := p.execute(ctx, 0, &call{Model: "res.users", Method: "context_get"})
	if err != nil {
		return 0, err
	}
	m, _ := v.(map[string]any)
	return uidOf(m["uid"])
}

func (p *json2) execute(ctx context.Context, _ int64, c *call) (any, error) {
	args, err := c.named()
	if err != nil {
		return nil, &Error{Kind: KindServer, Class: "builtins.TypeError", Message: err.Error(), Model: c.Model, Method: c.Method}
	}
	body, err := json.Marshal(args)
	if err != nil {
		return nil, wrapf(KindProtocol, err, "encode request: %v", err)
	}
	path := "/json/2/" + c.Model + "/" + c.Method
	hdr := http.Header{
		"Content-Type":    {"application/json; charset=utf-8"},
		"Authorization":   {"bearer " + p.cr.key.Reveal()},
		"X-Odoo-Database": {p.cr.db},
	}
	r, err := p.w.do(ctx, http.MethodPost, path, hdr, body)
	if err != nil {
		return nil, withCall(err, c)
	}
	v, err := decodeJSON2(r, path)
	return v, withCall(err, c)
}

func decodeJSON2(r *reply, path string) (any, error) {
	if r.unavailable() {
		return nil, r.statusError(path)
	}
	if r.isHTML() {
		return nil, r.htmlError(path, "JSON")
	}
	v, err := jsonv.Decode(r.body)
	if r.status == http.StatusOK {
		if err != nil {
			return nil, &Error{Kind: KindProtocol, Status: r.status, Message: fmt.Sprintf("%s answered with something that is not JSON: %.80q", path, r.body)}
		}
		if v == nil { // the method returned None
			return NoValue{}, nil
		}
		return v, nil
	}
	m, ok := v.(map[string]any)
	if err != nil || !ok || m["name"] == nil {
		return nil, r.statusError(path)
	}
	class, _ := m["name"].(string)
	msg, _ := m["message"].(string)
	e := &Error{Kind: classify(class, msg), Class: class, Message: msg, Status: r.status}
	switch r.status {
	case 401:
		e.Kind = KindAuth
	case 409:
		e.Kind = KindConcurrency
	case 502, 503, 504:
		e.Kind = KindUnavailable
	}
	return nil, e
}

// --- helpers ---------------------------------------------------------------

func uidOf(v any) (int64, error) {
	if uid, ok := asInt(v); ok && uid > 0 {
		return uid, nil
	}
	return 0, &Error{Kind: KindAuth, Class: "odoo.exceptions.AccessDenied", Message: "authentication failed: wrong login, password or API key, or the user is inactive"}
}

// withCall adds the model and method to an *Error.
func withCall(err error, c *call) error {
	if e, ok := err.(*Error); ok {
		e.Model, e.Method = c.Model, c.Method
		if e.Kind == KindNotFound && e.Status == 0 && strings.Contains(e.Message, "/json/2") {
			e.Message = fmt.Sprintf("%s.%s: %s", c.Model, c.Method, e.Message)
		}
		return e
	}
	return err
}
