package pipeline

import "github.com/ferry-migrate/ferry/internal/record"

// reuse keeps one Stream call's per-row structures for the rows after:
// the works of the last flushed batch, each with its values map (the
// expressions' out), and the maps the expressions see as their
// environment. Every map is cleared before it is used again, so a row
// never sees a value of the row before it. None of them reaches an
// Outcome: build copies the values into the Row, the loader and the
// quarantine writers get the source record and the findings, which are
// the row's own.
//
// Reuse is off (fresh) for an entity one of whose value expressions
// (fields, lines' fields, translations) names out or $env whole
// (mapping.Program.Whole): such a value may be one of these maps, and it
// would change under the Row that holds it.
//
// In scratch mode (DryRun) build also reuses one Row; its fn keeps
// nothing of an Outcome after it returns.
type reuse struct {
	fresh   bool
	scratch bool
	free    []*work
	rowEnv  map[string]any // skip filters and fields: row (then out, key)
	ruleEnv map[string]any // rules: row, out, key, lines
	noLines map[string]any // lines of a row that has none
	row     record.Row
}

func (u *reuse) init(c *compiled, scratch bool) {
	u.scratch = scratch
	u.fresh = wholeAny(c.fields)
	for i := range c.lines {
		u.fresh = u.fresh || wholeAny(c.lines[i].fields)
	}
	for i := range c.trans {
		u.fresh = u.fresh || c.trans[i].prog != nil && c.trans[i].prog.Whole
	}
}

func wholeAny(fields []compiledField) bool {
	for i := range fields {
		if fields[i].prog != nil && fields[i].prog.Whole {
			return true
		}
	}
	return false
}

// work returns an empty work for source row index.
func (u *reuse) work(index int, rec *record.Record) *work {
	n := len(u.free)
	if u.fresh || n == 0 {
		return &work{index: index, out: Outcome{Source: rec}}
	}
	w := u.free[n-1]
	u.free = u.free[:n-1]
	clear(w.values)
	clear(w.lines)
	*w = work{index: index, out: Outcome{Source: rec}, values: w.values, lines: w.lines[:0]}
	return w
}

// release takes back the works of a batch whose outcomes fn has had.
func (u *reuse) release(batch []*work) {
	if !u.fresh {
		u.free = append(u.free, batch...)
	}
}

// env returns the environment of a row's skip filters and fields: row
// only; eval adds out and key.
func (u *reuse) env(rec *record.Record) map[string]any {
	if u.fresh {
		return map[string]any{"row": rec.Values}
	}
	if u.rowEnv == nil {
		u.rowEnv = make(map[string]any, 4)
	}
	clear(u.rowEnv)
	u.rowEnv["row"] = rec.Values
	return u.rowEnv
}

// rulesEnv returns the environment of a row's rules.
func (u *reuse) rulesEnv(rec *record.Record, out map[string]any, key string, lines map[string]any) map[string]any {
	if u.fresh {
		return map[string]any{"row": rec.Values, "out": out, "key": key, "lines": lines}
	}
	if u.ruleEnv == nil {
		u.ruleEnv = make(map[string]any, 4)
	}
	u.ruleEnv["row"], u.ruleEnv["out"], u.ruleEnv["key"], u.ruleEnv["lines"] = rec.Values, out, key, lines
	return u.ruleEnv
}

// emptyLines is the lines environment of a row without lines.
func (u *reuse) emptyLines() map[string]any {
	if u.fresh {
		return map[string]any{}
	}
	if u.noLines == nil {
		u.noLines = map[string]any{}
	}
	return u.noLines
}

// newRow returns the Row build fills: a new one, or in scratch mode the
// reused one, emptied.
func (u *reuse) newRow(size int) *record.Row {
	if !u.scratch {
		return &record.Row{Values: make(map[string]any, size)}
	}
	values := u.row.Values
	if values == nil {
		values = make(map[string]any, size)
	}
	clear(values)
	u.row = record.Row{Values: values}
	return &u.row
}
