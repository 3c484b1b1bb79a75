package plan

import (
	"fmt"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/invopop/jsonschema"
)

func itoa(i int) string { return strconv.Itoa(i) }

// Keys is one column name or a list of them; YAML accepts either.
type Keys []string

// UnmarshalYAML accepts a string or a list of strings.
func (k *Keys) UnmarshalYAML(b []byte) error {
	var one string
	if err := yaml.Unmarshal(b, &one); err == nil {
		*k = Keys{one}
		return nil
	}
	var many []string
	if err := yaml.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a column name or a list of column names")
	}
	*k = many
	return nil
}

// JSONSchema describes a string or a non-empty list of strings.
func (Keys) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{
		{Type: "string", MinLength: ptr(uint64(1))},
		{Type: "array", MinItems: ptr(uint64(1)), Items: &jsonschema.Schema{Type: "string", MinLength: ptr(uint64(1))}},
	}}
}

func ptr[T any](v T) *T { return &v }

// FieldMaps is an ordered `field: expression` mapping.
type FieldMaps []FieldMap

// UnmarshalYAML keeps the order of the YAML mapping.
func (f *FieldMaps) UnmarshalYAML(b []byte) error {
	var ms yaml.MapSlice
	if err := yaml.UnmarshalWithOptions(b, &ms, yaml.UseOrderedMap()); err != nil {
		return err
	}
	out := make(FieldMaps, 0, len(ms))
	for _, it := range ms {
		out = append(out, FieldMap{Field: fmt.Sprint(it.Key), Expr: exprText(it.Value)})
	}
	*f = out
	return nil
}

// exprText renders a YAML scalar as expression text: a number or boolean
// written bare stays a literal.
func exprText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "nil"
	default:
		return fmt.Sprint(x)
	}
}

// Get returns the expression of field name.
func (f FieldMaps) Get(name string) (FieldMap, bool) {
	for _, m := range f {
		if m.Field == name {
			return m, true
		}
	}
	return FieldMap{}, false
}

// JSONSchema describes an object of expressions (strings, numbers, booleans).
func (FieldMaps) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Type:                 "object",
		MinProperties:        ptr(uint64(1)),
		AdditionalProperties: &jsonschema.Schema{AnyOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}, {Type: "boolean"}, {Type: "null"}}},
		Description:          "field: expression, in order; row.<column> reads the source row",
	}
}
