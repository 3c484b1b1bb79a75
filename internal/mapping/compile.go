package mapping

import (
	"errors"
	"fmt"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Program is one compiled expression.
type Program struct {
	Source string
	prog   *vm.Program
	// Refs are the entities the expression names in ref()/refs() calls.
	Refs []string
	// Columns are the row columns the expression reads (row.<col>).
	Columns []string
}

// Compiler compiles expressions against one Library.
type Compiler struct {
	opts []expr.Option
}

// NewCompiler returns a compiler whose expressions see row, out, key and
// lines, and the library's functions.
func NewCompiler(lib *Library) *Compiler {
	env := map[string]any{"row": map[string]any{}, "out": map[string]any{}, "key": "", "lines": map[string]any{}}
	opts := []expr.Option{expr.Env(env), expr.MaxNodes(2000)}
	for _, name := range []string{"trim", "lower", "upper", "split", "join", "round"} {
		opts = append(opts, expr.DisableBuiltin(name))
	}
	opts = append(opts, lib.Options()...)
	return &Compiler{opts: opts}
}

// Compile compiles src. The error is a *Finding with code MAP200 and the
// position inside the expression.
func (c *Compiler) Compile(src string) (*Program, error) {
	return c.compile(src, c.opts)
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
	ast.Walk(&node, &analyzer{p: p})
	return p, nil
}

func compileMessage(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		return fmt.Sprintf("%s (column %d)", fe.Message, fe.Column+1)
	}
	return err.Error()
}

type analyzer struct{ p *Program }

func (a *analyzer) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.CallNode:
		id, ok := x.Callee.(*ast.IdentifierNode)
		if !ok || (id.Value != "ref" && id.Value != "refs") || len(x.Arguments) == 0 {
			return
		}
		if s, ok := x.Arguments[0].(*ast.StringNode); ok {
			a.p.Refs = append(a.p.Refs, s.Value)
		}
	case *ast.MemberNode:
		id, ok := x.Node.(*ast.IdentifierNode)
		if !ok || id.Value != "row" {
			return
		}
		if s, ok := x.Property.(*ast.StringNode); ok {
			a.p.Columns = append(a.p.Columns, s.Value)
		}
	}
}

// Runner evaluates programs, reusing one VM. It is not safe for
// concurrent use: give each goroutine its own.
type Runner struct {
	vm vm.VM
}

// Run evaluates p with env. A function's *Finding comes back as itself;
// any other failure as a *Finding with code MAP201.
func (r *Runner) Run(p *Program, env map[string]any) (out any, err error) {
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
