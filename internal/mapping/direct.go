package mapping

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm/runtime"
)

// A direct program is an expression Runner evaluates by walking its
// checked tree instead of running expr's VM: the shapes most mappings are
// made of, calls of the library's functions over members of row and out,
// key, constants and +. The VM allocates a buffer for the functions'
// arguments on every run (eleven allocations a row in BenchmarkValidate);
// the walk keeps one argument stack in the Runner. Any other node (an
// operator but +, a conditional, a closure, a variable, a builtin) leaves
// the program to the VM. The walk does what the compiled program does, in
// the same order: arguments left to right, the function the compiler
// picks for the name (Compiler.fns is what it registers), + as the VM's
// OpAdd with its dereferences, and errors and panics reported as the VM
// reports them.
type direct struct {
	kind  directKind
	value any    // directConst
	name  string // directEnv
	fn    func(...any) (any, error)
	args  []*direct
	deref [2]bool // directAdd: the VM dereferences that operand
}

type directKind uint8

const (
	directConst directKind = iota
	directEnv
	directCall
	directAdd
)

// envNames are the identifiers the compiler's environment declares; the
// VM reads them from the environment map (OpLoadFast).
var envNames = map[string]bool{"row": true, "out": true, "key": true, "lines": true}

// directOf returns the direct form of a checked tree, or nil.
func directOf(n ast.Node, fns map[string]func(...any) (any, error)) *direct {
	switch x := n.(type) {
	case *ast.StringNode:
		return &direct{kind: directConst, value: x.Value}
	case *ast.BoolNode:
		return &direct{kind: directConst, value: x.Value}
	case *ast.NilNode:
		return &direct{kind: directConst}
	case *ast.ConstantNode:
		return &direct{kind: directConst, value: x.Value}
	case *ast.IntegerNode:
		return integerConst(x)
	case *ast.FloatNode:
		if t := x.Type(); t != nil && t.Kind() == reflect.Float32 {
			return nil
		}
		return &direct{kind: directConst, value: x.Value}
	case *ast.IdentifierNode:
		if !envNames[x.Value] {
			return nil
		}
		return &direct{kind: directEnv, name: x.Value}
	case *ast.CallNode:
		return callOf(x, fns)
	case *ast.BinaryNode:
		if x.Operator != "+" {
			return nil
		}
		l, r := directOf(x.Left, fns), directOf(x.Right, fns)
		if l == nil || r == nil {
			return nil
		}
		return &direct{kind: directAdd, args: []*direct{l, r}, deref: [2]bool{derefs(x.Left), derefs(x.Right)}}
	}
	return nil
}

// integerConst is the value the compiler pushes for an integer literal.
func integerConst(x *ast.IntegerNode) *direct {
	t := x.Type()
	switch {
	case t == nil || t.Kind() == reflect.Int:
		return &direct{kind: directConst, value: x.Value}
	case t.Kind() == reflect.Float64:
		return &direct{kind: directConst, value: float64(x.Value)}
	}
	return nil
}

func callOf(x *ast.CallNode, fns map[string]func(...any) (any, error)) *direct {
	id, ok := x.Callee.(*ast.IdentifierNode)
	if !ok {
		return nil
	}
	fn, ok := fns[id.Value]
	if !ok {
		return nil
	}
	d := &direct{kind: directCall, fn: fn}
	for _, a := range x.Arguments {
		ad := directOf(a, fns)
		if ad == nil {
			return nil
		}
		d.args = append(d.args, ad)
	}
	return d
}

// derefs reports whether the compiler dereferences an operand of + (its
// derefInNeeded).
func derefs(n ast.Node) bool {
	if n.Nature().Nil {
		return false
	}
	t := n.Type()
	return t != nil && (t.Kind() == reflect.Ptr || t.Kind() == reflect.Interface)
}

// evalDirect evaluates d; a function's error comes back as the VM path of
// Run returns it.
func (r *Runner) evalDirect(d *direct, env map[string]any) (any, error) {
	switch d.kind {
	case directConst:
		return d.value, nil
	case directEnv:
		return env[d.name], nil
	case directAdd:
		a, err := r.evalDirect(d.args[0], env)
		if err != nil {
			return nil, err
		}
		b, err := r.evalDirect(d.args[1], env)
		if err != nil {
			return nil, err
		}
		if d.deref[0] {
			a = derefValue(a)
		}
		if d.deref[1] {
			b = derefValue(b)
		}
		return runtime.Add(a, b), nil
	}
	base := len(r.stack)
	for _, a := range d.args {
		v, err := r.evalDirect(a, env)
		if err != nil {
			r.stack = r.stack[:base]
			return nil, err
		}
		r.stack = append(r.stack, v)
	}
	top := len(r.stack)
	out, err := d.fn(r.stack[base:top:top]...)
	clear(r.stack[base:top])
	r.stack = r.stack[:base]
	if err != nil {
		return nil, functionError(err)
	}
	return out, nil
}

// functionError is what Run returns for a function's error: its *Finding,
// else a MAP201 finding with its text (the VM's message for it).
func functionError(err error) error {
	var f *Finding
	if errors.As(err, &f) {
		return f
	}
	return &Finding{Code: "MAP201", Msg: fmt.Sprintf("%v", err)}
}

// derefValue is expr's OpDeref (internal/deref.Interface): the value a
// pointer points at, nil for a nil pointer, anything else as it is.
func derefValue(p any) any {
	switch p.(type) {
	case nil:
		return nil
	case string, float64, int, int64, bool:
		return p
	}
	v := reflect.ValueOf(p)
	for v.Kind() == reflect.Ptr || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.IsValid() {
		return v.Interface()
	}
	panic(fmt.Sprintf("cannot dereference %v", p))
}
