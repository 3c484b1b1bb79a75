package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/invopop/jsonschema"
	js "github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ferry-migrate/ferry/internal/mask"
)

// SchemaID is the $id of the plan's JSON Schema.
const SchemaID = "https://ferry-migrate.github.io/schema/plan.schema.json"

// Schema returns the plan file's JSON Schema (draft 2020-12), generated
// from the Go types of this package. docs/plan.schema.json is this output.
func Schema() ([]byte, error) {
	r := &jsonschema.Reflector{DoNotReference: false, ExpandedStruct: true}
	s := r.Reflect(&Plan{})
	s.ID = jsonschema.ID(SchemaID)
	s.Title = "Ferry migration plan"
	s.Description = "A Ferry plan: sources, target and entities (see the README's plan reference)"
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("plan schema: %w", err)
	}
	return append(b, '\n'), nil
}

// JSONSchemaExtend gives mask: the masking kinds as the enum of its
// values, so a misspelt kind is a CFG101 finding naming the valid kinds
// when the plan loads (and editors complete it), not a MAP217 on every row
// that has a value in the column.
func (Entity) JSONSchemaExtend(s *jsonschema.Schema) {
	m, ok := s.Properties.Get("mask")
	if !ok {
		return
	}
	kinds := make([]any, 0, len(mask.Kinds()))
	for _, k := range mask.Kinds() {
		kinds = append(kinds, k)
	}
	m.AdditionalProperties = &jsonschema.Schema{Type: "string", Enum: kinds}
}

var compiled = sync.OnceValues(compileSchema)

func compileSchema() (*js.Schema, error) {
	b, err := Schema()
	if err != nil {
		return nil, err
	}
	doc, err := js.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("plan schema: %w", err)
	}
	c := js.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		return nil, fmt.Errorf("plan schema: %w", err)
	}
	return c.Compile(SchemaID)
}

// CompiledSchema returns the compiled plan schema (for tests of example
// plans and editors' files).
func CompiledSchema() (*js.Schema, error) { return compiled() }
