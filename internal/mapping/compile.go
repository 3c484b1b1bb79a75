package mapping

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"github.com/expr-lang/expr/vm/runtime"
)

// Program is one compiled expression.
type Program struct {
	Source string
	prog   *vm.Program
	direct *direct // nil: run by the VM (direct.go)
	// Refs are the entities the expression names in ref()/refs() calls.
	Refs []string
	// Columns are the row columns the expression reads (row.<col>).
	Columns []string
	// Whole is set when the expression names out or $env other than to
	// read one member (out.name, out[...]): its value may be, or hold,
	// the environment's maps. A caller that reuses those maps from one
	// row to the next must not do so for such an expression.
	Whole bool
}

// Compiler compiles expressions against one Library.
type Compiler struct {
	opts []expr.Option
	fns  map[string]func(...any) (any, error) // the functions opts declare, by name
	fast bool
}

// NewCompiler returns a compiler whose expressions see row, out, key and
// lines, and the library's functions.
func NewCompiler(lib *Library) *Compiler { return newCompiler(lib, true) }

// newCompiler is NewCompiler; without fast, members are read by expr's
// fetch and every program runs on the VM (for tests that compare).
func newCompiler(lib *Library, fast bool) *Compiler {
	env := map[string]any{"row": map[string]any{}, "out": map[string]any{}, "key": "", "lines": map[string]any{}}
	c := &Compiler{fns: map[string]func(...any) (any, error){}, fast: fast}
	c.opts = []expr.Option{expr.Env(env), expr.MaxNodes(2000)}
	if fast {
		c.opts = append(c.opts, expr.Function(memberFunc, member), expr.Patch(memberPatch{}))
		c.fns[memberFunc] = member
	}
	for _, name := range []string{"trim", "lower", "upper", "split", "join", "round"} {
		c.opts = append(c.opts, expr.DisableBuiltin(name))
	}
	for _, f := range lib.funcs() {
		c.opts = append(c.opts, expr.Function(f.name, f.fn))
		c.fns[f.name] = f.fn
	}
	return c
}

// Compile compiles src. The error is a *Finding with code MAP200 and the
// position inside the expression.
func (c *Compiler) Compile(src string) (*Program, error) {
	p, err := c.compile(src, c.opts)
	if err == nil && c.fast {
		p.direct = directOf(p.prog.Node(), c.fns)
	}
	return p, err
}

// CompileBool compiles a condition (skip filters, checks): its result must
// be a boolean.
func (c *Compiler) CompileBool(src string) (*Program, error) {
	return c.compile(src, append(append([]expr.Option(nil), c.opts...), expr.AsBool()))
}

func (c *Compiler) compile(src string, opts []expr.Option) (p *Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, findingf("MAP200", "expression %q: %v", src, r)
		}
	}()
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return nil, &Finding{Code: "MAP200", Msg: compileMessage(err)}
	}
	p = &Program{Source: src, prog: prog}
	node := prog.Node()
	a := &analyzer{p: p}
	ast.Walk(&node, a)
	p.Whole = a.env > 0 || a.out > a.outMembers
	return p, nil
}

func compileMessage(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		return fmt.Sprintf("%s (column %d)", fe.Message, fe.Column+1)
	}
	return err.Error()
}

// analyzer collects what an expression refers to. out counts the out
// identifiers, outMembers those that are the object of a member access,
// env the $env identifiers.
type analyzer struct {
	p                    *Program
	out, outMembers, env int
}

func (a *analyzer) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.IdentifierNode:
		switch x.Value {
		case "out":
			a.out++
		case "$env":
			a.env++
		}
	case *ast.CallNode:
		id, ok := x.Callee.(*ast.IdentifierNode)
		switch {
		case !ok:
		case id.Value == memberFunc:
			a.member(x.Arguments[0], x.Arguments[1])
		case (id.Value == "ref" || id.Value == "refs") && len(x.Arguments) > 0:
			if s, ok := x.Arguments[0].(*ast.StringNode); ok {
				a.p.Refs = append(a.p.Refs, s.Value)
			}
		}
	case *ast.MemberNode:
		a.member(x.Node, x.Property)
	}
}

// member notes a member access, obj.prop or obj[prop] (a MemberNode, or
// the call memberPatch made of one).
func (a *analyzer) member(obj, prop ast.Node) {
	id, ok := obj.(*ast.IdentifierNode)
	if !ok {
		return
	}
	switch id.Value {
	case "out":
		a.outMembers++
	case "row":
		if s, ok := prop.(*ast.StringNode); ok {
			a.p.Columns = append(a.p.Columns, s.Value)
		}
	}
}

// Runner evaluates programs, reusing one VM and one argument stack. It is
// not safe for concurrent use: give each goroutine its own.
type Runner struct {
	vm    vm.VM
	stack []any // direct programs' function arguments
}

// Run evaluates p with env. A function's *Finding comes back as itself;
// any other failure as a *Finding with code MAP201.
func (r *Runner) Run(p *Program, env map[string]any) (out any, err error) {
	if p.direct == nil {
		return r.runVM(p, env)
	}
	defer func() {
		if rec := recover(); rec != nil {
			clear(r.stack)
			r.stack = r.stack[:0]
			out, err = nil, findingf("MAP201", "%v", rec)
		}
	}()
	return r.evalDirect(p.direct, env)
}

// runVM evaluates p on expr's VM.
func (r *Runner) runVM(p *Program, env map[string]any) (out any, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			out, err = nil, findingf("MAP201", "%v", rec)
		}
	}()
	out, err = r.vm.Run(p.prog, env)
	if err == nil {
		return out, nil
	}
	var f *Finding
	if errors.As(err, &f) {
		return nil, f
	}
	var fe *file.Error
	if errors.As(err, &fe) {
		return nil, &Finding{Code: "MAP201", Msg: fe.Message}
	}
	return nil, &Finding{Code: "MAP201", Msg: err.Error()}
}

// memberFunc is the function memberPatch calls: a name with a space,
// which no expression can spell.
const memberFunc = "map member"

var mapOfAny = reflect.TypeOf(map[string]any(nil))

// memberPatch turns a member access with a constant name on a
// map[string]any (row.name, row["a column"], out.name) into a call of
// member. expr fetches a map member by reflection, which allocates a copy
// of every value it reads (a tenth of validate's allocations).
type memberPatch struct{}

func (memberPatch) Visit(n *ast.Node) {
	m, ok := (*n).(*ast.MemberNode)
	if !ok || m.Optional || m.Method || m.Node.Type() != mapOfAny {
		return
	}
	prop, ok := m.Property.(*ast.StringNode)
	if !ok {
		return
	}
	ast.Patch(n, &ast.CallNode{Callee: &ast.IdentifierNode{Value: memberFunc},
		Arguments: []ast.Node{m.Node, &ast.StringNode{Value: prop.Value}}})
}

// member reads a[1] of the map a[0]. Anything but a map[string]any (nil,
// for a name the environment lacks) goes to expr's own fetch, which fails
// (or answers) as the member access would have.
func member(a ...any) (any, error) {
	if m, ok := a[0].(map[string]any); ok {
		return m[a[1].(string)], nil
	}
	return runtime.Fetch(a[0], a[1]), nil
}
