package odoo

import "fmt"

// call is one model method call in a transport-neutral form: positional
// arguments in the method's parameter order (ids apart), plus keyword
// arguments. Each protocol encodes it its own way: execute_kw sends ids
// first and the rest positionally; JSON-2 names every argument.
type call struct {
	Model, Method string
	Record        bool // a record method: IDs are its recordset
	IDs           []int64
	Args          []any
	Kwargs        map[string]any
	Context       map[string]any
}

// params are the Python parameter names of the methods Ferry calls, in
// order (without self), and whether the method runs on records.
var params = map[string]struct {
	record bool
	names  []string
}{
	"search":                 {false, []string{"domain", "offset", "limit", "order"}},
	"search_read":            {false, []string{"domain", "fields", "offset", "limit", "order"}},
	"search_count":           {false, []string{"domain", "limit"}},
	"read":                   {true, []string{"fields", "load"}},
	"write":                  {true, []string{"vals"}},
	"create":                 {false, []string{"vals_list"}},
	"unlink":                 {true, nil},
	"fields_get":             {false, []string{"allfields", "attributes"}},
	"name_search":            {false, []string{"name", "domain", "operator", "limit"}},
	"load":                   {false, []string{"fields", "data"}},
	"read_group":             {false, []string{"domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"}},
	"formatted_read_group":   {false, []string{"domain", "groupby", "aggregates", "having", "offset", "limit", "order"}},
	"get_external_id":        {true, nil},
	"check_object_reference": {false, []string{"module", "xml_id", "raise_on_access_error"}},
	"check_access_rights":    {false, []string{"operation", "raise_exception"}},
	"has_access":             {true, []string{"operation"}},
	"context_get":            {false, nil},
	"default_get":            {false, []string{"fields_list"}},
	"export_data":            {true, []string{"fields_to_export"}},
}

// positional builds a call from execute_kw-style arguments: for a record
// method (known, or unknown with a list of ints first) the first argument
// is the ids.
func positional(model, method string, args []any, kw map[string]any) (*call, error) {
	c := &call{Model: model, Method: method, Kwargs: kw}
	p, known := params[method]
	c.Record = p.record || (!known && len(args) > 0 && isIDList(args[0]))
	if c.Record {
		if len(args) == 0 {
			return nil, fmt.Errorf("%s.%s needs record ids as its first argument", model, method)
		}
		ids, ok := toIDs(args[0])
		if !ok {
			return nil, fmt.Errorf("%s.%s: the first argument must be a list of record ids", model, method)
		}
		c.IDs, args = ids, args[1:]
	}
	c.Args = args
	return c, nil
}

// named returns the call's arguments by parameter name (JSON-2).
func (c *call) named() (map[string]any, error) {
	out := make(map[string]any, len(c.Args)+len(c.Kwargs)+2)
	if len(c.Args) > 0 {
		names := params[c.Method].names
		if len(c.Args) > len(names) {
			return nil, fmt.Errorf("%s.%s: JSON-2 takes named arguments only; pass them as keyword arguments", c.Model, c.Method)
		}
		for i, a := range c.Args {
			out[names[i]] = a
		}
	}
	for k, v := range c.Kwargs {
		out[k] = v
	}
	if c.Record {
		out["ids"] = idsAny(c.IDs)
	}
	out["context"] = c.Context
	return out, nil
}

// positionalArgs returns execute_kw's args and kwargs.
func (c *call) positionalArgs() ([]any, map[string]any) {
	args := c.Args
	if c.Record {
		args = append([]any{idsAny(c.IDs)}, args...)
	}
	kw := make(map[string]any, len(c.Kwargs)+1)
	for k, v := range c.Kwargs {
		kw[k] = v
	}
	kw["context"] = c.Context
	if args == nil {
		args = []any{}
	}
	return args, kw
}

func isIDList(v any) bool {
	_, ok := toIDs(v)
	return ok
}

func toIDs(v any) ([]int64, bool) {
	switch x := v.(type) {
	case []int64:
		return x, true
	case []int:
		out := make([]int64, len(x))
		for i, n := range x {
			out[i] = int64(n)
		}
		return out, true
	case []any:
		out := make([]int64, 0, len(x))
		for _, e := range x {
			n, ok := asInt(e)
			if !ok {
				return nil, false
			}
			out = append(out, n)
		}
		return out, true
	}
	return nil, false
}

func idsAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		if n == float64(int64(n)) {
			return int64(n), true
		}
	}
	return 0, false
}
