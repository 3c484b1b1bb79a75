package orm

import (
	"fmt"
	"regexp"
	"strings"
)

// cond is a compiled domain: a predicate on one record.
type cond func(id int64, rec map[string]any) bool

// compile turns a domain (prefix notation, implicit '&') into a predicate.
func (db *DB) compile(m *Model, domain []any) (cond, error) {
	stack := []cond{}
	for i := len(domain) - 1; i >= 0; i-- {
		switch t := domain[i].(type) {
		case string:
			c, err := combine(t, &stack)
			if err != nil {
				return nil, err
			}
			stack = append(stack, c)
		case []any:
			c, err := db.leaf(m, t)
			if err != nil {
				return nil, err
			}
			stack = append(stack, c)
		default:
			return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid domain term %v", t)}
		}
	}
	all := func(int64, map[string]any) bool { return true }
	for _, c := range stack {
		prev, cur := all, c
		all = func(id int64, r map[string]any) bool { return cur(id, r) && prev(id, r) }
	}
	return all, nil
}

func combine(op string, stack *[]cond) (cond, error) {
	s := *stack
	pop := func() (cond, error) {
		if len(s) == 0 {
			return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Domain operator %q lacks operands", op)}
		}
		c := s[len(s)-1]
		s = s[:len(s)-1]
		return c, nil
	}
	defer func() { *stack = s }()
	a, err := pop()
	if err != nil {
		return nil, err
	}
	if op == "!" {
		return func(id int64, r map[string]any) bool { return !a(id, r) }, nil
	}
	b, err := pop()
	if err != nil {
		return nil, err
	}
	switch op {
	case "&":
		return func(id int64, r map[string]any) bool { return a(id, r) && b(id, r) }, nil
	case "|":
		return func(id int64, r map[string]any) bool { return a(id, r) || b(id, r) }, nil
	}
	return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid domain operator %q", op)}
}

func (db *DB) leafError(m *Model, t []any) error {
	if db.version >= 19 {
		return &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field %s.%v in condition %s", m.Name, t[0], pyTuple(t))}
	}
	return &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field %s.%v in leaf %s", m.Name, t[0], pyTuple(t))}
}

func pyTuple(t []any) string {
	parts := make([]string, len(t))
	for i, x := range t {
		parts[i] = pyRepr(x)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func pyRepr(x any) string {
	switch v := x.(type) {
	case string:
		return "'" + v + "'"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(x)
}

// leaf compiles one condition [path, operator, value].
func (db *DB) leaf(m *Model, t []any) (cond, error) {
	if len(t) != 3 {
		return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid leaf %s", pyTuple(t))}
	}
	path, _ := t[0].(string)
	op, _ := t[1].(string)
	name, rest, dotted := strings.Cut(path, ".")
	f := m.Fields[name]
	if f == nil {
		return nil, db.leafError(m, t)
	}
	if dotted && f.Type == "many2one" {
		sub, err := db.leaf(db.models[f.Relation], []any{rest, op, t[2]})
		if err != nil {
			return nil, err
		}
		rm := db.models[f.Relation]
		return func(id int64, r map[string]any) bool {
			rid := toInt(r[name])
			return rid != 0 && rm.recs[rid] != nil && sub(rid, rm.recs[rid])
		}, nil
	}
	match, err := matcher(op, t[2])
	if err != nil {
		return nil, err
	}
	return func(id int64, r map[string]any) bool { return match(db.domainValue(m, id, f, r)) }, nil
}

// domainValue is the value a condition compares: ids for relations.
func (db *DB) domainValue(m *Model, id int64, f *Field, r map[string]any) any {
	switch f.Name {
	case "id":
		return id
	case "display_name":
		return db.displayName(m, id)
	}
	switch f.Type {
	case "one2many":
		return db.o2mIDs(m, id, f)
	case "boolean":
		b, _ := r[f.Name].(bool)
		return b
	}
	return db.fieldValue(f, f.Name, db.computed(m, id, r))
}

// matcher compiles an operator and value into a test on a stored value.
func matcher(op string, want any) (func(any) bool, error) {
	switch op {
	case "=", "==":
		return func(v any) bool { return equal(v, want) }, nil
	case "!=", "<>":
		return func(v any) bool { return !equal(v, want) }, nil
	case "=?":
		if want == nil || want == false {
			return func(any) bool { return true }, nil
		}
		return func(v any) bool { return equal(v, want) }, nil
	case "in", "not in":
		list, _ := want.([]any)
		if list == nil && want != nil {
			list = []any{want}
		}
		in := func(v any) bool {
			for _, w := range list {
				if equal(v, w) {
					return true
				}
			}
			return false
		}
		if op == "in" {
			return in, nil
		}
		return func(v any) bool { return !in(v) }, nil
	case "<", "<=", ">", ">=":
		return func(v any) bool { return compare(v, want, op) }, nil
	case "like", "ilike", "not like", "not ilike", "=like", "=ilike":
		return likeMatcher(op, want), nil
	case "child_of", "parent_of":
		return func(v any) bool { return equal(v, want) }, nil
	}
	return nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid leaf operator %q", op)}
}

func likeMatcher(op string, want any) func(any) bool {
	pat := fmt.Sprint(want)
	fold := strings.Contains(op, "ilike")
	neg := strings.HasPrefix(op, "not")
	if !strings.HasPrefix(op, "=") {
		pat = "%" + pat + "%"
	}
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; c {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '\\':
			if i+1 < len(pat) {
				i++
				b.WriteString(regexp.QuoteMeta(string(pat[i])))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	prefix := "(?s)^"
	if fold {
		prefix = "(?is)^"
	}
	re := regexp.MustCompile(prefix + b.String() + "$")
	return func(v any) bool {
		s, ok := v.(string)
		if !ok {
			return neg
		}
		return re.MatchString(s) != neg
	}
}

// equal compares a stored value with a domain value the way SQL does after
// Odoo's conversions (False matches NULL; ids lists match membership).
func equal(v, w any) bool {
	if ids, ok := v.([]int64); ok {
		for _, id := range ids {
			if equal(id, w) {
				return true
			}
		}
		return (w == false || w == nil) && len(ids) == 0
	}
	if w == false || w == nil {
		return v == nil || v == false || v == ""
	}
	switch x := v.(type) {
	case int64:
		n, ok := num(w)
		return ok && float64(x) == n
	case float64:
		n, ok := num(w)
		return ok && x == n
	case bool:
		b, ok := w.(bool)
		return ok && b == x
	case string:
		s, ok := w.(string)
		return ok && s == x
	}
	return false
}

func num(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case int:
		return float64(n), true
	}
	return 0, false
}

func compare(v, w any, op string) bool {
	if a, ok := num(v); ok {
		b, ok := num(w)
		return ok && cmpOp(a < b, a == b, op)
	}
	a, ok1 := v.(string)
	b, ok2 := w.(string)
	return ok1 && ok2 && cmpOp(a < b, a == b, op)
}

func cmpOp(less, eq bool, op string) bool {
	switch op {
	case "<":
		return less
	case "<=":
		return less || eq
	case ">":
		return !less && !eq
	}
	return !less
}
