package pipeline

import "github.com/ferry-migrate/ferry/internal/mapping"

// Condition compiles a boolean expression over a source row (`row.col`),
// as skip filters are, for callers that read a source outside a pass
// (control totals). The function it returns is not safe for concurrent
// use.
func (p *Pipeline) Condition(src string) (func(row map[string]any) (bool, error), error) {
	prog, err := p.comp.CompileBool(src)
	if err != nil {
		return nil, err
	}
	var r mapping.Runner
	return func(row map[string]any) (bool, error) {
		v, err := r.Run(prog, map[string]any{"row": row})
		b, _ := v.(bool)
		return b, err
	}, nil
}
