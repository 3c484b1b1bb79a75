package scaffold

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/validate"
)

// writer renders YAML lines with trailing comments.
type writer struct{ b strings.Builder }

func (w *writer) line(indent int, text string, comments ...string) {
	w.b.WriteString(strings.Repeat(" ", indent))
	w.b.WriteString(text)
	if c := strings.Join(nonEmpty(comments), "; "); c != "" {
		if text != "" {
			w.b.WriteString("  ")
		}
		w.b.WriteString("# " + oneLine(c))
	}
	w.b.WriteByte('\n')
}

func nonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

var plainSafe = regexp.MustCompile(`^[A-Za-z0-9_./][A-Za-z0-9_./@+-]*$`)

// scalar renders s as a YAML scalar: plain when nothing in it is special,
// else double-quoted (a JSON string is a valid YAML double-quoted scalar).
func scalar(s string) string {
	if plainSafe.MatchString(s) && !yamlWord(s) {
		return s
	}
	return strconv.Quote(s)
}

// yamlWord says whether a plain scalar would read as another type.
func yamlWord(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n":
		return true
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// exprScalar renders an expression: plain unless YAML would misread it.
func exprScalar(e string) string {
	if strings.Contains(e, ": ") || strings.Contains(e, " #") || strings.ContainsAny(e[:1], `"'{[&*!|>%@`+"`") {
		return "'" + strings.ReplaceAll(e, "'", "''") + "'"
	}
	return e
}

func render(in Input, res *Result, maps []fieldLine, ms []maskLine) []byte {
	w := &writer{}
	w.line(0, "", fmt.Sprintf("Drafted by ferry init from %s (%d rows sampled) and %s (%s).", in.Origin, len(in.Rows), in.Model, in.SchemaOrigin))
	w.line(0, "", "Every guess carries a comment: review them, then run ferry validate on this file.")
	w.line(0, "version: 1")
	w.line(0, "name: "+scalar(in.Name))
	w.line(0, "namespace: "+in.Namespace, "the module part of every external ID this plan writes: choose it before the first run, never change it after")
	renderTarget(w, in.Target)
	w.line(0, "sources:")
	w.line(2, in.SourceName+": "+sourceFlow(in), sourceNote(in))
	w.line(0, "entities:")
	w.line(2, "- name: "+in.Entity)
	w.line(4, "model: "+in.Model)
	w.line(4, "from: "+selectFlow(in))
	w.line(4, "key: "+scalar(res.Key), keyNote(res))
	w.line(4, "fields:")
	for _, m := range maps {
		w.line(6, m.field+": "+exprScalar(m.expr), m.notes...)
	}
	renderLeftovers(w, in, res)
	renderMasks(w, ms)
	return []byte(w.b.String())
}

// renderMasks writes the entity's mask: (a test target receives personal
// data masked) and, for columns whose names the plan's check cannot read
// in an expression, unmasked:.
func renderMasks(w *writer, ms []maskLine) {
	if len(ms) == 0 {
		return
	}
	w.line(4, "mask:", "personal data is masked for a test target (FERRY_MASK_KEY); ferry discover suggests more")
	var unmasked []string
	for _, m := range ms {
		w.line(6, scalar(m.column)+": "+m.kind, "guessed from field "+m.field)
		if m.unmasked {
			unmasked = append(unmasked, m.field)
		}
	}
	if len(unmasked) > 0 {
		w.line(4, "unmasked: ["+strings.Join(unmasked, ", ")+"]",
			"TODO their columns are masked above, but the plan check cannot see row[\"...\"] read a masked column: rename the columns, or keep this (recorded in the audit log)")
	}
}

func renderTarget(w *writer, t Target) {
	w.line(0, "target:")
	if t.URL == "" {
		w.line(2, "", "TODO url, database and login of the target (or FERRY_ODOO_URL, _DB, _LOGIN when you run ferry)")
	}
	for _, kv := range [][2]string{{"url", t.URL}, {"database", t.Database}, {"login", t.Login}} {
		if kv[1] != "" {
			w.line(2, kv[0]+": "+scalar(kv[1]))
		}
	}
	w.line(2, t.SecretKey+": {env: "+t.SecretEnv+"}", "a reference: the secret itself stays in the environment")
	w.line(2, "environment: test", "masking applies to test targets; say production when this plan is meant for one")
	if t.Schema != "" {
		w.line(2, "schema: "+scalar(t.Schema), "offline schema snapshot: ferry validate checks fields against it")
	}
}

func sourceFlow(in Input) string {
	s := in.Source
	parts := []string{"kind: " + s.Kind}
	if s.Path != "" {
		parts = append(parts, "path: "+scalar(s.Path))
	}
	if s.DSN.Env != "" {
		parts = append(parts, "dsn: {env: "+s.DSN.Env+"}")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func sourceNote(in Input) string {
	if in.Source.DSN.Env != "" {
		return "the DSN stays in the environment"
	}
	return ""
}

func selectFlow(in Input) string {
	parts := []string{"source: " + in.SourceName}
	if in.From.File != "" {
		parts = append(parts, "file: "+scalar(in.From.File))
	}
	if in.From.Table != "" {
		parts = append(parts, "table: "+scalar(in.From.Table))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func keyNote(res *Result) string {
	var p Profile
	for _, x := range res.Profiles {
		if x.Name == res.Key {
			p = x
		}
	}
	if !res.KeyUnique {
		return fmt.Sprintf("TODO no column is unique and never empty in the %d sampled rows: name the column(s) that identify a row", p.Values)
	}
	return fmt.Sprintf("guessed: unique and never empty in the %d sampled rows", p.Values)
}

func renderLeftovers(w *writer, in Input, res *Result) {
	byName := map[string]Profile{}
	for _, p := range res.Profiles {
		byName[p.Name] = p
	}
	for _, c := range res.Unmatched {
		w.line(6, "", fmt.Sprintf("unmatched column %s (%s)%s", strconv.Quote(c), byName[c].Describe(), closest(c, in.Fields)))
	}
	for _, name := range res.Required {
		f := in.Fields[name]
		w.line(6, "", fmt.Sprintf("TODO required: %s (%s %q) is required and no column maps to it (Odoo may give it a default)", name, f.Type, f.String))
	}
}

// closest names the best field below the threshold, as a hint.
func closest(column string, fields map[string]validate.Field) string {
	best, name := 0.0, ""
	for _, f := range fields {
		if !Writable(f) {
			continue
		}
		if s, _ := NameScore(column, f); s > best || s == best && s > 0 && f.Name < name {
			best, name = s, f.Name
		}
	}
	switch {
	case best < 0.5:
		return ""
	case best < threshold:
		return fmt.Sprintf(": closest field %s (%.2f), too weak a match to guess", name, best)
	}
	return fmt.Sprintf(": closest field %s (%.2f), not used: its type does not fit the values, or another column took it", name, best)
}
