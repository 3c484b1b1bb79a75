package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
)

// kv is one member of an ordered JSON object.
type kv struct {
	k string
	v any
}

// ordered is a JSON object whose keys keep their order, as Python's json
// writes a dict (Odoo's error bodies have a fixed key order).
type ordered []kv

func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(m.k)
		b.Write(k)
		b.WriteString(": ")
		v, err := marshal(m.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal writes a JSON-like value the way Odoo's JSON does: integer-keyed
// maps get string keys, floats keep a decimal point, None is null.
func marshal(v any) ([]byte, error) {
	return json.Marshal(jsonable(v))
}

type pyFloat float64

func (f pyFloat) MarshalJSON() ([]byte, error) {
	s := strconv.FormatFloat(float64(f), 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return []byte(s), nil
}

func jsonable(v any) any {
	switch x := v.(type) {
	case orm.None:
		return nil
	case float64:
		return pyFloat(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(ordered, 0, len(x))
		for _, k := range keys {
			out = append(out, kv{k, jsonable(x[k])})
		}
		return out
	case map[int64]any:
		ids := make([]int64, 0, len(x))
		for k := range x {
			ids = append(ids, k)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		out := make(ordered, 0, len(x))
		for _, id := range ids {
			out = append(out, kv{strconv.FormatInt(id, 10), jsonable(x[id])})
		}
		return out
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(fmt.Sprintf(`{"name": "builtins.TypeError", "message": %q}`, err.Error()))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// pyName is how a traceback's last line names an exception class:
// builtins unqualified, others in full.
func pyName(class string) string {
	return strings.TrimPrefix(class, "builtins.")
}

// debug is the traceback text Odoo puts in "debug" and in XML-RPC fault 1.
func debug(e *orm.Exception) string {
	return "Traceback (most recent call last):\n  File \"/sandbox/odoo/service/model.py\", line 1, in execute_kw\n    return call_kw(model, method, args, kwargs)\n" +
		pyName(e.Class) + ": " + e.Message + "\n"
}

func args(e *orm.Exception) []any {
	if e.Args != nil {
		return e.Args
	}
	return []any{e.Message}
}

// asException turns any ORM failure into an *orm.Exception.
func asException(err error) *orm.Exception {
	if e, ok := err.(*orm.Exception); ok {
		return e
	}
	return &orm.Exception{Class: orm.ValueError, Message: err.Error()}
}

// faultCode is the /xmlrpc/2 fault code of an exception class.
func faultCode(class string) int {
	switch class {
	case orm.AccessError:
		return 4
	case orm.AccessDenied:
		return 3
	case orm.UserError, orm.ValidationError, orm.MissingError, "odoo.exceptions.RedirectWarning", "odoo.exceptions.LockError":
		return 2
	}
	return 1
}

// json2Status is the HTTP status JSON-2 answers an exception with.
func json2Status(class string) int {
	switch class {
	case orm.UserError, orm.ValidationError:
		return 422
	case orm.AccessError, orm.AccessDenied:
		return 403
	case orm.MissingError:
		return 404
	case "odoo.exceptions.LockError":
		return 409
	}
	return 500
}
