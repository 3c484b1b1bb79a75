package plan_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	js "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/plan"
)

var update = flag.Bool("update", false, "rewrite docs/plan.schema.json")

const schemaFile = "../../docs/plan.schema.json"

// TestSchemaFile keeps docs/plan.schema.json equal to what the Go types
// generate (go test ./internal/plan -run TestSchemaFile -update).
func TestSchemaFile(t *testing.T) {
	want, err := plan.Schema()
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(schemaFile, want, 0o644))
	}
	got, err := os.ReadFile(schemaFile)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "docs/plan.schema.json is stale: run go test ./internal/plan -run TestSchemaFile -update")
}

// planFiles lists every plan in the repository: examples, the demo and
// the golden cases.
func planFiles(t *testing.T) []string {
	var out []string
	for _, root := range []string{"../../examples", "../demo", "../../testdata"} {
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "plan") && strings.HasSuffix(d.Name(), ".yaml") &&
				!strings.Contains(path, "invalid") {
				out = append(out, path)
			}
			return nil
		})
	}
	require.NotEmpty(t, out)
	return out
}

// TestExamplesMatchSchemaFile validates every plan in the repository with
// the schema file editors use, and with Load.
func TestExamplesMatchSchemaFile(t *testing.T) {
	b, err := os.ReadFile(schemaFile)
	require.NoError(t, err)
	doc, err := js.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	c := js.NewCompiler()
	require.NoError(t, c.AddResource("plan.schema.json", doc))
	s, err := c.Compile("plan.schema.json")
	require.NoError(t, err)
	for _, path := range planFiles(t) {
		t.Run(path, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			var v any
			require.NoError(t, yaml.Unmarshal(raw, &v))
			require.NoError(t, s.Validate(v))
			_, ds, err := plan.Load(path)
			require.NoError(t, err)
			require.Empty(t, ds)
		})
	}
}
