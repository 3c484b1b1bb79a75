package plan

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/invopop/jsonschema"

	"github.com/ferry-migrate/ferry/internal/diag"
)

// BaseLang is the language of a translatable field's base value: what
// fields: writes and what Odoo reads back without a language.
const BaseLang = "en_US"

// Translation is one `field: {lang: expression}` value of an entity's
// translations:, in plan order.
type Translation struct {
	Field string
	Lang  string
	Expr  string
	Pos   Position
}

// Translations maps an entity's translatable fields to their value per
// language: field → Odoo language code (fr_BE) → expression, in the
// expression language of fields:. The loader writes them with Odoo's
// update_field_translations after the entity's records are loaded;
// verify reads them back in each language.
type Translations []Translation

// UnmarshalYAML keeps the order of the YAML mappings.
func (t *Translations) UnmarshalYAML(b []byte) error {
	var fields yaml.MapSlice
	if err := yaml.UnmarshalWithOptions(b, &fields, yaml.UseOrderedMap()); err != nil {
		return err
	}
	out := Translations{}
	for _, f := range fields {
		langs, ok := f.Value.(yaml.MapSlice)
		if !ok {
			return fmt.Errorf("translations.%v: want a mapping of language codes to expressions", f.Key)
		}
		for _, l := range langs {
			out = append(out, Translation{Field: fmt.Sprint(f.Key), Lang: fmt.Sprint(l.Key), Expr: exprText(l.Value)})
		}
	}
	*t = out
	return nil
}

// JSONSchema describes field → language code → expression.
func (Translations) JSONSchema() *jsonschema.Schema {
	expr := &jsonschema.Schema{AnyOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}}}
	return &jsonschema.Schema{
		Type:          "object",
		MinProperties: ptr(uint64(1)),
		AdditionalProperties: &jsonschema.Schema{
			Type:                 "object",
			MinProperties:        ptr(uint64(1)),
			AdditionalProperties: expr,
			Description:          "Odoo language code (fr_BE, nl_BE, es_419, sr@latin): expression; an empty value leaves the language to fall back on en_US",
		},
		Description: "translatable field: {language code: expression}, written with update_field_translations after the load and compared per language by verify",
	}
}

// Fields lists the translated fields, in plan order.
func (t Translations) Fields() []string {
	var out []string
	seen := map[string]bool{}
	for _, tr := range t {
		if !seen[tr.Field] {
			seen[tr.Field] = true
			out = append(out, tr.Field)
		}
	}
	return out
}

// Languages lists the languages the translations name, besides en_US,
// sorted: the target must have them active.
func (t Translations) Languages() []string {
	seen := map[string]bool{}
	var out []string
	for _, tr := range t {
		if tr.Lang != BaseLang && !seen[tr.Lang] {
			seen[tr.Lang] = true
			out = append(out, tr.Lang)
		}
	}
	sort.Strings(out)
	return out
}

// Languages lists every language the plan's translations name, besides
// en_US, sorted.
func (p *Plan) Languages() []string {
	var all Translations
	for _, e := range p.Entities {
		all = append(all, e.Translations...)
	}
	return all.Languages()
}

// langCode is the form of Odoo's language codes: language, optional
// territory or UN M.49 region, optional script or variant (sr@latin).
var langCode = regexp.MustCompile(`^[a-z]{2,3}(_([A-Z]{2}|[0-9]{3}))?(@[A-Za-z]+)?$`)

// ValidLangCode reports whether code has the form of an Odoo language code.
func ValidLangCode(code string) bool { return langCode.MatchString(code) }

// likelyLang guesses the Odoo code meant by a malformed one (fr-be → fr_BE).
func likelyLang(code string) string {
	lang, region, ok := strings.Cut(strings.ReplaceAll(code, "-", "_"), "_")
	guess := strings.ToLower(lang)
	if ok {
		guess += "_" + strings.ToUpper(region)
	}
	if ValidLangCode(guess) {
		return guess
	}
	return ""
}

// translations checks the language codes and fills positions.
func (c *checker) translations(e *Entity, at []string) {
	for k := range e.Translations {
		tr := &e.Translations[k]
		path := append(append([]string(nil), at...), "translations", tr.Field, tr.Lang)
		tr.Pos = c.position(path)
		switch {
		case !ValidLangCode(tr.Lang):
			hint := "Odoo names languages like fr_BE, nl_BE, es_419 or sr@latin (Settings › Languages)"
			if g := likelyLang(tr.Lang); g != "" {
				hint = "write " + g
			}
			c.add("CFG109", path, fmt.Sprintf("%q is not an Odoo language code", tr.Lang), hint)
		case tr.Lang == BaseLang && hasField(e.Fields, tr.Field):
			c.add("CFG110", path, fmt.Sprintf("the en_US value of %s is fields.%s", tr.Field, tr.Field),
				"declare it once: remove en_US from translations."+tr.Field)
		}
	}
}

func hasField(fs FieldMaps, name string) bool {
	_, ok := fs.Get(name)
	return ok
}

// Label names one translation in findings and reports: field[lang].
func (t Translation) Label() string { return t.Field + "[" + t.Lang + "]" }

func init() {
	diag.Codes = append(diag.Codes,
		diag.Code{Code: "CFG109", Summary: "a translation's language code is not an Odoo language code (fr_BE)"},
		diag.Code{Code: "CFG110", Summary: "an en_US translation of a field fields: already maps"},
	)
}
