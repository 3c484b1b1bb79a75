package odoo

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFaultClassification(t *testing.T) {
	serialization := "Traceback (most recent call last):\n  File \"/odoo/odoo/service/model.py\", line 156, in retrying\n    result = func()\n" +
		"psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update\n"
	caret := "Traceback (most recent call last):\n  File \"/odoo/sql_db.py\", line 354, in execute\n    res = self._obj.execute(query, params)\n" +
		"psycopg2.errors.SyntaxError: syntax error at or near \"x\"\nLINE 1: select x x\n                 ^\n"
	tests := []struct {
		name       string
		code       int
		text       string
		kind       Kind
		class, msg string
		retryable  bool
	}{
		{"access denied", 3, "Access Denied", KindAuth, "odoo.exceptions.AccessDenied", "Access Denied", false},
		{"access error", 4, "You are not allowed to modify 'Contact' (res.partner) records.", KindAccess, "odoo.exceptions.AccessError", "You are not allowed to modify 'Contact' (res.partner) records.", false},
		{"validation", 2, "The operation cannot be completed:\n- Create/update: a mandatory field is not set.", KindValidation, "odoo.exceptions.UserError", "The operation cannot be completed:\n- Create/update: a mandatory field is not set.", false},
		{"missing", 2, "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)", KindMissing, "odoo.exceptions.MissingError", "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)", false},
		{"unknown model", 2, "Object no.such.model doesn't exist", KindNotFound, "odoo.exceptions.UserError", "Object no.such.model doesn't exist", false},
		{"serialization", 1, serialization, KindConcurrency, "psycopg2.errors.SerializationFailure", "could not serialize access due to concurrent update", true},
		{"caret line is not the exception", 1, caret, KindServer, "psycopg2.errors.SyntaxError", "syntax error at or near \"x\"\nLINE 1: select x x", false},
		{"unknown method", 1, "Traceback (most recent call last):\n  File \"x\", line 1, in y\n    z\nAttributeError: The method 'res.partner.nope' does not exist\n", KindNotFound, "builtins.AttributeError", "The method 'res.partner.nope' does not exist", false},
		{"bad domain", 1, "Traceback (most recent call last):\n  File \"x\", line 1, in y\n    z\nValueError: Invalid field res.partner.x in leaf ('x', '=', 1)\n", KindServer, "builtins.ValueError", "Invalid field res.partner.x in leaf ('x', '=', 1)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := faultError(tt.code, tt.text)
			require.Equal(t, tt.kind, e.Kind, e.Kind.String())
			require.Equal(t, tt.class, e.Class)
			require.Equal(t, tt.msg, e.Message)
			require.Equal(t, tt.retryable, e.Retryable())
		})
	}
}

func TestNoneFaultMeansSuccess(t *testing.T) {
	e := faultError(1, "Traceback (most recent call last):\n  File \"/usr/lib/python3/xmlrpc/client.py\", line 540, in dump_nil\n    raise TypeError(\"cannot marshal None unless allow_none is enabled\")\nTypeError: cannot marshal None unless allow_none is enabled\n")
	require.True(t, isNoneFault(e))
}

func TestJSONRPCErrorShapes(t *testing.T) {
	tests := []struct {
		name string
		err  map[string]any
		kind Kind
	}{
		{"18 validation", map[string]any{"code": int64(200), "data": map[string]any{"name": "odoo.exceptions.ValidationError", "message": "bad"}}, KindValidation},
		{"19 code 0", map[string]any{"code": int64(0), "data": map[string]any{"name": "odoo.exceptions.MissingError", "message": "gone"}}, KindMissing},
		{"unknown method", map[string]any{"code": int64(200), "data": map[string]any{"name": "builtins.AttributeError", "message": "The method 'res.partner.no_such_method' does not exist"}}, KindNotFound},
		{"private", map[string]any{"code": int64(200), "data": map[string]any{"name": "odoo.exceptions.AccessError", "message": "Private methods (such as 'res.partner._x') cannot be called remotely."}}, KindAccess},
		{"session expired", map[string]any{"code": int64(100), "message": "Odoo Session Expired", "data": map[string]any{"name": "odoo.http.SessionExpiredException", "message": "Session expired"}}, KindAuth},
		{"deadlock", map[string]any{"code": int64(200), "data": map[string]any{"name": "psycopg2.errors.DeadlockDetected", "message": "deadlock detected"}}, KindConcurrency},
		{"404", map[string]any{"code": int64(404), "message": "404: Not Found", "data": map[string]any{"name": "werkzeug.exceptions.NotFound", "message": "x"}}, KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.kind, jsonRPCError(tt.err).Kind)
		})
	}
}

func TestJSON2Statuses(t *testing.T) {
	body := func(class, msg string) []byte {
		return []byte(`{"name": "` + class + `", "message": "` + msg + `", "arguments": [], "context": {}, "debug": ""}`)
	}
	tests := []struct {
		status int
		body   []byte
		kind   Kind
	}{
		{401, body("werkzeug.exceptions.Unauthorized", "Invalid apikey"), KindAuth},
		{403, body("odoo.exceptions.AccessError", "You are not allowed"), KindAccess},
		{404, body("werkzeug.exceptions.NotFound", "the model 'x.y' does not exist"), KindNotFound},
		{404, body("odoo.exceptions.MissingError", "Record does not exist"), KindMissing},
		{409, body("odoo.exceptions.LockError", "locked"), KindConcurrency},
		{422, body("odoo.exceptions.ValidationError", "bad"), KindValidation},
		{500, body("builtins.ValueError", "Invalid field"), KindServer},
		{503, []byte("Service Unavailable"), KindUnavailable},
		{502, []byte("<html><head><title>502 Bad Gateway</title></head></html>"), KindUnavailable},
		{200, []byte("<!DOCTYPE html><html><title>Login</title></html>"), KindProtocol},
	}
	for _, tt := range tests {
		_, err := decodeJSON2(&reply{status: tt.status, body: tt.body}, "/json/2/x/y")
		e, ok := err.(*Error)
		require.True(t, ok)
		require.Equal(t, tt.kind, e.Kind, "%d %s: %v", tt.status, tt.body, e)
	}
}

func TestHTMLPageIsReportedAsSuch(t *testing.T) {
	r := &reply{status: 200, ctype: "text/html; charset=utf-8", body: []byte("<html><head><title>Odoo - Login</title></head></html>")}
	_, err := decodeJSONRPC(r, "/jsonrpc")
	require.ErrorContains(t, err, `HTML page titled "Odoo - Login" where JSON was expected`)
	require.True(t, IsKind(err, KindProtocol))
}

func TestParseVersion(t *testing.T) {
	v, err := parseVersion([]any{"saas~17", int64(4), int64(0), "final", int64(0), ""}, "saas~17.4")
	require.NoError(t, err)
	require.Equal(t, Version{Major: 17, Minor: 4, Serie: "17.4", Full: "saas~17.4"}, v)
	v, err = parseVersion([]any{int64(19), int64(0), int64(0), "final", int64(0), ""}, "19.0")
	require.NoError(t, err)
	require.Equal(t, 19, v.Major)
}

func TestLoadConcurrencyRowMessage(t *testing.T) {
	res, err := parseLoad(map[string]any{"ids": false, "messages": []any{map[string]any{
		"type": "error", "rows": map[string]any{"from": int64(0), "to": int64(0)}, "record": int64(0),
		"message": "could not serialize access due to concurrent update"}}}, "res.partner")
	require.NoError(t, err)
	require.True(t, res.RolledBack)
	_, busy := concurrency(res)
	require.True(t, busy)
}

func TestConfigRefusesPlainHTTPOutsideLoopback(t *testing.T) {
	c := Config{URL: "http://erp.example.com", Database: "d", Login: "l"}
	c.Password = newSecret("pw")
	_, _, err := c.check()
	require.ErrorContains(t, err, "refusing plain HTTP to erp.example.com")
	c.Insecure = true
	_, warn, err := c.check()
	require.NoError(t, err)
	require.Len(t, warn, 1)
	c = Config{URL: "http://127.0.0.1:8069", Database: "d", Login: "l", Password: newSecret("pw")}
	_, warn, err = c.check()
	require.NoError(t, err)
	require.Empty(t, warn)
}
