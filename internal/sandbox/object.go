package sandbox

import (
	"fmt"

	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
)

// common runs a method of the common service.
func (s *Server) common(method string, params []any) (any, error) {
	switch method {
	case "version":
		return s.versionInfo(), nil
	case "login", "authenticate":
		if len(params) < 3 || (method == "authenticate" && len(params) < 4) {
			return nil, &orm.Exception{Class: orm.TypeError, Message: fmt.Sprintf("%s() missing required positional arguments", method)}
		}
		if err := s.checkDB(params[0]); err != nil {
			return nil, err
		}
		login, _ := params[1].(string)
		secret, _ := params[2].(string)
		if uid := s.login(login, secret); uid > 0 {
			return uid, nil
		}
		return false, nil
	case "about":
		return "See http://openerp.com", nil
	}
	return nil, &orm.Exception{Class: "builtins.NameError", Message: "Method not available " + method}
}

func (s *Server) checkDB(v any) error {
	if name, _ := v.(string); name != s.opts.Database {
		return &orm.Exception{Class: "psycopg2.OperationalError", Message: fmt.Sprintf("connection to server failed: FATAL:  database \"%v\" does not exist", v)}
	}
	return nil
}

// object runs execute / execute_kw of the object service.
func (s *Server) object(method string, params []any) (any, error) {
	if method != "execute" && method != "execute_kw" {
		return nil, &orm.Exception{Class: "builtins.NameError", Message: "Method not available " + method}
	}
	if len(params) < 5 {
		return nil, &orm.Exception{Class: orm.TypeError, Message: fmt.Sprintf("%s() missing required positional arguments", method)}
	}
	if err := s.checkDB(params[0]); err != nil {
		return nil, err
	}
	uid, _ := asInt(params[1])
	secret, _ := params[2].(string)
	if !s.check(uid, secret) {
		return nil, &orm.Exception{Class: orm.AccessDenied, Message: "Access Denied"}
	}
	model, _ := params[3].(string)
	name, _ := params[4].(string)
	c := orm.Call{UID: uid, Model: model, Method: name, Context: map[string]any{}}
	if method == "execute" {
		c.Args = params[5:]
	} else if err := kwCall(&c, params[5:]); err != nil {
		return nil, err
	}
	return s.db.Execute(c)
}

// kwCall reads execute_kw's args list and kwargs dict; the context travels
// in kwargs.
func kwCall(c *orm.Call, rest []any) error {
	if len(rest) > 0 {
		list, ok := rest[0].([]any)
		if !ok {
			return &orm.Exception{Class: orm.TypeError, Message: "execute_kw: args must be a list"}
		}
		c.Args = list
	}
	c.Kwargs = map[string]any{}
	if len(rest) > 1 && rest[1] != nil {
		kw, ok := rest[1].(map[string]any)
		if !ok {
			return &orm.Exception{Class: orm.TypeError, Message: "execute_kw: kwargs must be a dict"}
		}
		for k, v := range kw {
			c.Kwargs[k] = v
		}
	}
	if ctx, ok := c.Kwargs["context"].(map[string]any); ok {
		c.Context = ctx
	}
	delete(c.Kwargs, "context")
	return nil
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}
