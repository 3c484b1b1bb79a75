package pipeline

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/plan"
)

// orderEntities sorts entities so that referenced ones come first. Entities
// that reference each other (or themselves) form a group: each is created
// in plan order, and the fields that point at itself or at a later member
// of the group are written in a second pass.
func (p *Pipeline) orderEntities() {
	groups := p.components()
	for _, g := range groups {
		pos := map[string]int{}
		for i, name := range g {
			pos[name] = i
		}
		var second []*Entity
		for i, name := range g {
			c := p.entities[name]
			links := p.markLinks(c, pos, i)
			e := &Entity{Name: name, Model: c.e.Model, Plan: c.e, Pass: 1, Links: links}
			p.order = append(p.order, e)
			if len(links) > 0 {
				second = append(second, &Entity{Name: name, Model: c.e.Model, Plan: c.e, Pass: 2, Links: links})
				p.planFinding(diag.Info, "MAP218", plan.Position{File: p.plan.File}, name, strings.Join(links, ","),
					fmt.Sprintf("%s is loaded in two passes: create, then link %s", name, strings.Join(links, ", ")), "")
			}
		}
		p.order = append(p.order, second...)
	}
}

// markLinks flags the fields of c that reference a member of its group at
// or after index i.
func (p *Pipeline) markLinks(c *compiled, pos map[string]int, i int) []string {
	var links []string
	for k := range c.fields {
		f := &c.fields[k]
		if f.prog == nil {
			continue
		}
		for _, r := range f.prog.Refs {
			if j, ok := pos[r]; ok && j >= i {
				f.link = true
			}
		}
		if f.link {
			links = append(links, f.Field)
		}
	}
	return links
}

// components returns the strongly connected components of the reference
// graph in dependency order (Tarjan's algorithm emits sinks first), each
// component in plan order.
func (p *Pipeline) components() [][]string {
	t := &tarjan{p: p, index: map[string]int{}, low: map[string]int{}, on: map[string]bool{}}
	for _, e := range p.plan.Entities {
		if _, seen := t.index[e.Name]; !seen {
			t.visit(e.Name)
		}
	}
	planPos := map[string]int{}
	for i, e := range p.plan.Entities {
		planPos[e.Name] = i
	}
	for _, g := range t.out {
		sort.Slice(g, func(a, b int) bool { return planPos[g[a]] < planPos[g[b]] })
	}
	return t.out
}

type tarjan struct {
	p     *Pipeline
	n     int
	index map[string]int
	low   map[string]int
	on    map[string]bool
	stack []string
	out   [][]string
}

func (t *tarjan) visit(v string) {
	t.index[v], t.low[v] = t.n, t.n
	t.n++
	t.stack = append(t.stack, v)
	t.on[v] = true
	for _, w := range t.edges(v) {
		if _, seen := t.index[w]; !seen {
			t.visit(w)
			t.low[v] = min(t.low[v], t.low[w])
		} else if t.on[w] {
			t.low[v] = min(t.low[v], t.index[w])
		}
	}
	if t.low[v] != t.index[v] {
		return
	}
	var g []string
	for {
		w := t.stack[len(t.stack)-1]
		t.stack = t.stack[:len(t.stack)-1]
		t.on[w] = false
		g = append(g, w)
		if w == v {
			break
		}
	}
	t.out = append(t.out, g)
}

func (t *tarjan) edges(v string) []string {
	c := t.p.entities[v]
	var out []string
	for r := range c.refs {
		if _, ok := t.p.entities[r]; ok {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}
