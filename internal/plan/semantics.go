package plan

import (
	"fmt"
	"regexp"
	"strconv"
)

// semantics checks what the schema cannot: references between parts of the
// plan, one check per rule, line keys, and fills positions.
func (c *checker) semantics(p *Plan) {
	if p.Version != 1 {
		c.add("CFG107", []string{"version"}, fmt.Sprintf("plan version %d is not supported", p.Version), "write version: 1")
	}
	seen := map[string]bool{}
	for i := range p.Entities {
		e := &p.Entities[i]
		at := []string{"entities", strconv.Itoa(i)}
		if seen[e.Name] {
			c.add("CFG104", append(at, "name"), fmt.Sprintf("entity %q is declared twice", e.Name), "give each entity its own name")
		}
		seen[e.Name] = true
		c.sourceRef(p, e.From.Source, append(at, "from", "source"))
		c.positions(e.Fields, append(at, "fields"))
		c.rules(e.Rules, append(at, "rules"))
		c.filters(e.Skip, append(at, "skip"))
		c.lines(p, e, at)
		c.translations(e, at)
		c.reconcile(e, at)
		c.files(p, e, at)
		for j, d := range e.DependsOn {
			if p.Entity(d) == nil {
				c.add("CFG103", append(at, "depends_on", strconv.Itoa(j)), fmt.Sprintf("unknown entity %q", d), "")
			}
		}
	}
	c.controls(p)
	c.accounting(p)
}

func (c *checker) lines(p *Plan, e *Entity, at []string) {
	for j := range e.Lines {
		l := &e.Lines[j]
		lat := append(append([]string(nil), at...), "lines", strconv.Itoa(j))
		if len(l.LineKey) == 0 {
			c.add("CFG105", lat, fmt.Sprintf("lines %s of entity %s have no line_key", l.Field, e.Name),
				"name the column(s) that identify a line within its parent and stay stable across runs (a line number)")
		}
		c.sourceRef(p, l.From.Source, append(lat, "from", "source"))
		c.positions(l.Fields, append(lat, "fields"))
		c.rules(l.Rules, append(lat, "rules"))
		c.lineRules(l, append(lat, "rules"))
	}
}

// lineRules refuses the checks the pipeline does not run on lines: unique
// compares rows of one entity, and lines are not an entity of their own.
func (c *checker) lineRules(l *Lines, at []string) {
	for k := range l.Rules {
		if r := &l.Rules[k]; len(r.Unique) > 0 {
			c.add("CFG106", append(append([]string(nil), at...), strconv.Itoa(k), "unique"),
				fmt.Sprintf("rule %s: unique is not supported on lines (%s)", r.Label(), l.Field),
				"a line's line_key is already unique within its parent (MAP212); to compare other values of a parent's lines, "+
					"write a check: rule on the entity, which sees them as lines."+l.Field)
		}
	}
}

func (c *checker) sourceRef(p *Plan, name string, at []string) {
	if _, ok := p.Sources[name]; !ok {
		c.add("CFG103", at, fmt.Sprintf("unknown source %q", name), "declare it under sources:")
	}
}

func (c *checker) positions(fs FieldMaps, at []string) {
	for k := range fs {
		fs[k].Pos = c.position(append(append([]string(nil), at...), fs[k].Field))
	}
}

func (c *checker) filters(fs []Filter, at []string) {
	for k := range fs {
		fs[k].Pos = c.position(append(append([]string(nil), at...), strconv.Itoa(k), "when"))
	}
}

func (c *checker) rules(rs []Rule, at []string) {
	for k := range rs {
		r := &rs[k]
		rat := append(append([]string(nil), at...), strconv.Itoa(k))
		r.Pos = c.position(rat)
		if n := r.kinds(); n != 1 {
			c.add("CFG106", rat, fmt.Sprintf("rule %s declares %d checks", r.Label(), n),
				"give exactly one of required, unique, regex, min/max, in, check, ref")
		}
		if r.needsField() && r.Field == "" {
			c.add("CFG106", rat, fmt.Sprintf("rule %s needs field:", r.Label()), "")
		}
		if r.Regex != "" {
			if _, err := regexp.Compile(r.Regex); err != nil {
				c.add("CFG108", append(rat, "regex"), "invalid regular expression: "+err.Error(), "")
			}
		}
	}
}

func (r *Rule) kinds() int {
	n := 0
	for _, b := range []bool{len(r.Required) > 0, len(r.Unique) > 0, r.Regex != "",
		r.Min != nil || r.Max != nil, len(r.In) > 0, r.Check != "", r.Ref != ""} {
		if b {
			n++
		}
	}
	if n == 0 && r.Field != "" {
		return 0
	}
	return n
}

func (r *Rule) needsField() bool {
	return r.Regex != "" || r.Min != nil || r.Max != nil || len(r.In) > 0 || r.Ref != ""
}

// Kind names the rule's check: required, unique, regex, range, in, check, ref.
func (r *Rule) Kind() string {
	switch {
	case len(r.Required) > 0:
		return "required"
	case len(r.Unique) > 0:
		return "unique"
	case r.Regex != "":
		return "regex"
	case r.Min != nil || r.Max != nil:
		return "range"
	case len(r.In) > 0:
		return "in"
	case r.Check != "":
		return "check"
	case r.Ref != "":
		return "ref"
	}
	return ""
}

// Label is the rule's name, or its kind and field when it has none.
func (r *Rule) Label() string {
	if r.Name != "" {
		return r.Name
	}
	if r.Field != "" {
		return r.Kind() + ":" + r.Field
	}
	return r.Kind()
}
