package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo/jsonv"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
)

var bearerRE = regexp.MustCompile(`(?i)^bearer\s+(.+)$`)

// serveJSON2 answers POST /json/2/<model>/<method> (Odoo 19).
func (s *Server) serveJSON2(w http.ResponseWriter, r *http.Request) {
	if s.opts.Version < 19 {
		notFoundPage(w, r)
		return
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/json/2"), "/"), "/")
	if r.Method != http.MethodPost || len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		httpError(w, http.StatusNotFound, "NotFound", "Not Found", "Did you mean POST /json/2/<model>/<method>?")
		return
	}
	if !isJSONContent(r) {
		w.Header().Set("Accept", "application/json")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnsupportedMediaType)
		_, _ = w.Write([]byte("<!doctype html>\n<title>415 Unsupported Media Type</title>\n<h1>Unsupported Media Type</h1>\n"))
		return
	}
	uid, ok := s.authBearer(w, r)
	if !ok {
		return
	}
	body, _ := io.ReadAll(r.Body)
	v, err := jsonv.Decode(body)
	if err != nil {
		httpError(w, http.StatusBadRequest, "BadRequest", "Bad Request", "could not parse the body as json: "+pyJSONError(body))
		return
	}
	c, herr := json2Call(uid, parts[0], parts[1], v)
	if herr != nil {
		httpError(w, herr.status, herr.class, herr.title, herr.msg)
		return
	}
	res, err := s.db.Execute(c)
	if err != nil {
		s.writeJSON2Error(w, asException(err), c)
		return
	}
	if _, none := res.(orm.None); none {
		res = nil
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) authBearer(w http.ResponseWriter, r *http.Request) (int64, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		w.Header().Set("WWW-Authenticate", "Bearer ")
		httpError(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized", "User not authenticated, use an API Key with a Bearer Authorization header.")
		return 0, false
	}
	m := bearerRE.FindStringSubmatch(h)
	uid := int64(0)
	if m != nil {
		uid = s.bearer(strings.TrimSpace(m[1]))
	}
	if uid == 0 {
		w.Header().Set("WWW-Authenticate", "Bearer ")
		httpError(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized", "Invalid apikey")
		return 0, false
	}
	if db := r.Header.Get("X-Odoo-Database"); db != "" && db != s.opts.Database {
		notFoundPage(w, r)
		return 0, false
	}
	return uid, true
}

type httpErr struct {
	status            int
	class, title, msg string
}

// json2Call binds a JSON-2 body to a named ORM call, with Odoo's signature
// checks for the methods the sandbox knows.
func json2Call(uid int64, model, method string, body any) (orm.Call, *httpErr) {
	m, _ := body.(map[string]any) // null or an array: ignored, as Odoo does
	c := orm.Call{UID: uid, Model: model, Method: method, Named: true, Kwargs: map[string]any{}, Context: map[string]any{}}
	for k, v := range m {
		switch k {
		case "ids":
			ids, ok := v.([]any)
			if !ok {
				return c, &httpErr{422, "UnprocessableEntity", "Unprocessable Entity", "ids must be a list"}
			}
			c.HasIDs = true
			for _, x := range ids {
				id, _ := asInt(x)
				c.IDs = append(c.IDs, id)
			}
		case "context":
			if ctx, ok := v.(map[string]any); ok {
				c.Context = ctx
			}
		default:
			c.Kwargs[k] = v
		}
	}
	if sig, ok := signatures[method]; ok {
		if e := sig.bind(&c); e != nil {
			return c, e
		}
	}
	return c, nil
}

// signature is what JSON-2's inspect.signature(...).bind checks.
type signature struct {
	model    bool // @api.model: refuses ids
	required []string
	optional []string
	kwargs   bool // accepts **kwargs
}

var signatures = map[string]signature{
	"create":       {model: true, required: []string{"vals_list"}},
	"write":        {required: []string{"vals"}},
	"unlink":       {},
	"read":         {optional: []string{"fields", "load"}},
	"search":       {model: true, required: []string{"domain"}, optional: []string{"offset", "limit", "order"}},
	"search_count": {model: true, required: []string{"domain"}, optional: []string{"limit"}},
	"search_read":  {model: true, optional: []string{"domain", "fields", "offset", "limit", "order"}, kwargs: true},
	"fields_get":   {model: true, optional: []string{"allfields", "attributes"}},
	"load":         {model: true, required: []string{"fields", "data"}},
	"name_search":  {model: true, optional: []string{"name", "domain", "operator", "limit"}},
}

func (sg signature) bind(c *orm.Call) *httpErr {
	if sg.model && c.HasIDs {
		return &httpErr{422, "UnprocessableEntity", "Unprocessable Entity", fmt.Sprintf("cannot call %s.%s with ids", c.Model, c.Method)}
	}
	for _, r := range sg.required {
		if _, ok := c.Kwargs[r]; !ok {
			return &httpErr{422, "UnprocessableEntity", "Unprocessable Entity", fmt.Sprintf("missing a required argument: '%s'", r)}
		}
	}
	if sg.kwargs {
		return nil
	}
	for k := range c.Kwargs {
		if !contains(sg.required, k) && !contains(sg.optional, k) {
			return &httpErr{422, "UnprocessableEntity", "Unprocessable Entity", fmt.Sprintf("got an unexpected keyword argument '%s'", k)}
		}
	}
	return nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// writeJSON2Error answers an ORM exception: unknown models and methods are
// werkzeug NotFound with JSON-2's wording; others map by class.
func (s *Server) writeJSON2Error(w http.ResponseWriter, e *orm.Exception, c orm.Call) {
	switch {
	case e.Class == orm.UserError && strings.HasPrefix(e.Message, "Object ") && strings.HasSuffix(e.Message, " doesn't exist"):
		httpError(w, http.StatusNotFound, "NotFound", "Not Found", fmt.Sprintf("the model '%s' does not exist", c.Model))
		return
	case e.Class == orm.AttributeError && strings.Contains(e.Message, "does not exist"):
		httpError(w, http.StatusNotFound, "NotFound", "Not Found", fmt.Sprintf("The method '%s.%s' does not exist", c.Model, c.Method))
		return
	}
	tb := pyName(e.Class) + ": " + e.Message
	if !strings.HasPrefix(e.Class, "builtins.") {
		tb = e.Class + ": " + e.Message
	}
	writeJSON(w, json2Status(e.Class), ordered{{"name", e.Class}, {"message", e.Message}, {"arguments", args(e)}, {"context", map[string]any{}}, {"debug", tb}})
}

// httpError answers a werkzeug HTTP exception the way JSON-2 serialises it.
func httpError(w http.ResponseWriter, status int, class, title, msg string) {
	writeJSON(w, status, ordered{{"name", "werkzeug.exceptions." + class}, {"message", msg}, {"arguments", []any{msg, int64(status)}},
		{"context", map[string]any{}}, {"debug", fmt.Sprintf("werkzeug.exceptions.%s: %d %s: %s", class, status, title, msg)}})
}

// pyJSONError words a JSON syntax error the way Python's json module does
// ("Expecting value: line 1 column 2 (char 1)"), as Odoo reports it.
func pyJSONError(body []byte) string {
	var v any
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return "Expecting value: line 1 column 1 (char 0)"
	}
	off := int(se.Offset) - 1
	if off < 0 {
		off = 0
	}
	what := "Expecting value"
	switch {
	case strings.Contains(se.Error(), "object key string"):
		what = "Expecting property name enclosed in double quotes"
	case strings.Contains(se.Error(), "after object key"):
		what = "Expecting ':' delimiter"
	case strings.Contains(se.Error(), "after object key:value pair"), strings.Contains(se.Error(), "after array element"):
		what = "Expecting ',' delimiter"
	}
	line := 1 + bytes.Count(body[:off], []byte("\n"))
	col := off + 1 - (bytes.LastIndexByte(body[:off], '\n') + 1)
	return fmt.Sprintf("%s: line %d column %d (char %d)", what, line, col, off)
}
