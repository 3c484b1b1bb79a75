package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	js "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Load reads and checks the plan at path. The error is for I/O only; every
// problem in the plan is a diagnostic (all of them, not the first). The
// plan is returned whenever it could be decoded, even with findings; a
// caller must not use it when diag.Max(findings) >= diag.Error.
func Load(path string) (*Plan, []diag.Diagnostic, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read plan %s: %w", path, errors.Unwrap(err))
	}
	p, ds := Parse(b, path)
	if p != nil {
		abs, err := filepath.Abs(filepath.Dir(path))
		if err != nil {
			return nil, nil, fmt.Errorf("plan %s: %w", path, err)
		}
		p.Dir = abs
	}
	return p, ds, nil
}

// Parse decodes plan bytes; file names the plan in findings.
func Parse(b []byte, file string) (*Plan, []diag.Diagnostic) {
	c := &checker{file: file}
	f, err := parser.ParseBytes(b, 0)
	if err != nil {
		c.yamlError(err)
		return nil, c.ds
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		c.add("CFG100", nil, "the plan must be one YAML document", "")
		return nil, c.ds
	}
	c.root = f.Docs[0].Body
	var doc any
	if err := yaml.UnmarshalWithOptions(b, &doc); err != nil {
		c.yamlError(err)
		return nil, c.ds
	}
	secretPaths := c.secrets(doc, nil)
	c.schema(doc, secretPaths)
	if len(c.ds) > 0 {
		return nil, c.ds
	}
	p := &Plan{File: file}
	if err := yaml.UnmarshalWithOptions(b, p, yaml.Strict()); err != nil {
		c.yamlError(err)
		return nil, c.ds
	}
	sum := sha256.Sum256(b)
	p.Digest = hex.EncodeToString(sum[:])
	c.semantics(p)
	bindSources(p)
	return p, c.ds
}

// bindSources gives odoo sources the plan's namespace: they name the
// records of the old database that have no external ID in it.
func bindSources(p *Plan) {
	for name, s := range p.Sources {
		if s.Kind == "odoo" {
			s.Namespace = p.Namespace
			p.Sources[name] = s
		}
	}
}

type checker struct {
	file string
	root ast.Node
	ds   []diag.Diagnostic
}

func (c *checker) add(code string, path []string, msg, hint string) {
	c.addAt(code, c.position(path), msg, hint)
}

func (c *checker) addAt(code string, pos Position, msg, hint string) {
	c.ds = append(c.ds, diag.Diagnostic{
		Code: code, Severity: diag.Error, Msg: msg, Hint: hint,
		Pos:   record.Position{File: pos.String()},
		Field: pos.Path,
	})
}

func (c *checker) yamlError(err error) {
	var ye yaml.Error
	pos := Position{File: c.file}
	msg := err.Error()
	if errors.As(err, &ye) {
		if t := ye.GetToken(); t != nil && t.Position != nil {
			pos.Line, pos.Column = t.Position.Line, t.Position.Column
		}
		msg = ye.GetMessage()
	}
	c.ds = append(c.ds, diag.Diagnostic{Code: "CFG100", Severity: diag.Error,
		Pos: record.Position{File: pos.String()}, Msg: msg})
}

// position finds the YAML node at path (object keys and list indexes).
func (c *checker) position(path []string) Position {
	pos := Position{File: c.file, Path: yamlPath(path)}
	n := nodeAt(c.root, path)
	if n != nil && n.GetToken() != nil && n.GetToken().Position != nil {
		pos.Line, pos.Column = n.GetToken().Position.Line, n.GetToken().Position.Column
	}
	return pos
}

func yamlPath(path []string) string {
	var b strings.Builder
	b.WriteString("$")
	for _, s := range path {
		if _, err := strconv.Atoi(s); err == nil {
			b.WriteString("[" + s + "]")
		} else {
			b.WriteString("." + s)
		}
	}
	return b.String()
}

// nodeAt walks path from n; it returns the deepest node found, and for a
// mapping key the key node itself.
func nodeAt(n ast.Node, path []string) ast.Node {
	for _, seg := range path {
		n = unwrap(n)
		next := child(n, seg)
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch x := n.(type) {
		case *ast.TagNode:
			n = x.Value
		case *ast.AnchorNode:
			n = x.Value
		case *ast.DocumentNode:
			n = x.Body
		default:
			return n
		}
	}
}

func child(n ast.Node, seg string) ast.Node {
	switch x := n.(type) {
	case *ast.MappingNode:
		for _, v := range x.Values {
			if v.Key.GetToken() != nil && v.Key.GetToken().Value == seg {
				if v.Value.GetToken() == nil || isEmptyLine(v) {
					return v.Key
				}
				return v.Value
			}
		}
	case *ast.MappingValueNode:
		return child(&ast.MappingNode{Values: []*ast.MappingValueNode{x}}, seg)
	case *ast.SequenceNode:
		i, err := strconv.Atoi(seg)
		if err == nil && i >= 0 && i < len(x.Values) {
			return x.Values[i]
		}
	}
	return nil
}

// keyNode returns the key node of name in mapping n.
func keyNode(n ast.Node, name string) ast.Node {
	n = unwrap(n)
	if mv, ok := n.(*ast.MappingValueNode); ok {
		n = &ast.MappingNode{Values: []*ast.MappingValueNode{mv}}
	}
	if m, ok := n.(*ast.MappingNode); ok {
		for _, v := range m.Values {
			if v.Key.GetToken() != nil && v.Key.GetToken().Value == name {
				return v.Key
			}
		}
	}
	return nil
}

func isEmptyLine(v *ast.MappingValueNode) bool { return v.Value.Type() == ast.NullType }

// secretKeys are keys whose value must be a reference, never a literal.
var secretKeys = map[string]bool{"password": true, "api_key": true, "dsn": true, "token": true,
	"secret": true, "passphrase": true, "private_key": true}

var urlPassword = regexp.MustCompile(`(?i)^[a-z][a-z0-9+.-]*://[^/@\s:]+:[^/@\s]+@|(?i)(^|\s)(password|pwd)=`)

// secrets reports literal secrets and returns their paths (to silence the
// schema's type error there).
func (c *checker) secrets(v any, path []string) map[string]bool {
	found := map[string]bool{}
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				p := append(append([]string(nil), path...), k)
				if s, ok := x[k].(string); ok && (secretKeys[k] || urlPassword.MatchString(s)) && !isExprPath(p) {
					c.add("CFG102", p, "a literal secret in "+yamlPath(p),
						"write it as {env: NAME} or {file: PATH} and keep the value out of the plan")
					found[strings.Join(p, "/")] = true
					continue
				}
				walk(x[k], p)
			}
		case []any:
			for i, e := range x {
				walk(e, append(append([]string(nil), path...), strconv.Itoa(i)))
			}
		}
	}
	walk(v, path)
	return found
}

// isExprPath reports paths holding expressions (a field mapping may well be
// called password on a model; its value is an expression, not a secret).
func isExprPath(p []string) bool {
	for _, s := range p {
		if s == "fields" || s == "rules" || s == "skip" || s == "query" || s == "translations" {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

var printer = message.NewPrinter(language.English)

func (c *checker) schema(doc any, skip map[string]bool) {
	s, err := compiled()
	if err != nil {
		c.add("CFG101", nil, "plan schema: "+err.Error(), "")
		return
	}
	err = s.Validate(doc)
	var ve *js.ValidationError
	if !errors.As(err, &ve) {
		return
	}
	start := len(c.ds)
	for _, leaf := range leaves(ve) {
		c.schemaFinding(leaf, skip)
	}
	// the validator's causes come in no fixed order: report them in file order
	found := c.ds[start:]
	sort.SliceStable(found, func(i, j int) bool {
		li, ci := lineCol(found[i].Pos.File)
		lj, cj := lineCol(found[j].Pos.File)
		if li != lj {
			return li < lj
		}
		if ci != cj {
			return ci < cj
		}
		return found[i].Msg < found[j].Msg
	})
}

// lineCol reads the line and column at the end of "file:line:column".
func lineCol(pos string) (int, int) {
	parts := strings.Split(pos, ":")
	if len(parts) < 3 {
		return 0, 0
	}
	l, _ := strconv.Atoi(parts[len(parts)-2])
	c, _ := strconv.Atoi(parts[len(parts)-1])
	return l, c
}

func (c *checker) schemaFinding(e *js.ValidationError, skip map[string]bool) {
	path := e.InstanceLocation
	if skip[strings.Join(path, "/")] {
		return
	}
	if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
		for _, name := range ap.Properties {
			p := append(append([]string(nil), path...), name)
			pos := c.position(p)
			if k := keyNode(nodeAt(c.root, path), name); k != nil && k.GetToken().Position != nil {
				pos.Line, pos.Column = k.GetToken().Position.Line, k.GetToken().Position.Column
			}
			c.addAt("CFG101", pos, fmt.Sprintf("unknown key %q", name), unknownKeyHint(path, name))
		}
		return
	}
	c.add("CFG101", path, e.ErrorKind.LocalizedString(printer), "")
}

// removedEntityKeys are entity keys earlier plans accepted although no
// code read them; a plan still using one is told what does the job.
var removedEntityKeys = map[string]string{
	"lines_mode": "lines_mode had no effect and is gone: to delete in Odoo the lines an earlier run wrote " +
		"that the source no longer has, set replace: true on the entry under lines: (lines[].replace)",
	"normalize": "an entity's normalize: had no effect and is gone: normalize values in fields: " +
		"(normalize_email(row.email), normalize_vat(row.vat), digits(row.phone)) or in duplicates: (normalize: email)",
}

// unknownKeyHint says what to do about the unknown key name in the mapping
// at path.
func unknownKeyHint(path []string, name string) string {
	if len(path) == 2 && path[0] == "entities" {
		if h, ok := removedEntityKeys[name]; ok {
			return h
		}
	}
	return "check its spelling against the plan reference"
}

// leaves flattens a validation error to its most specific causes; for a
// oneOf/anyOf it keeps the parent's message (the alternatives' messages
// would only confuse).
func leaves(e *js.ValidationError) []*js.ValidationError {
	if len(e.Causes) == 0 {
		return []*js.ValidationError{e}
	}
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		return []*js.ValidationError{e}
	}
	var out []*js.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}
