package internal_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/ferry-migrate/ferry/internal/"

// layering lists, per package prefix, the project packages it must not
// import (STYLE.md §2). This test is the layering lint: it runs with every
// `go test ./...`, so a forbidden import fails CI.
var layering = []struct {
	pkg    string
	denied []string
	only   []string // when set, the only project packages allowed
}{
	{pkg: "record", only: []string{}},
	{pkg: "diag", only: []string{"record"}},
	{pkg: "secret", only: []string{}},
	{pkg: "odoo", only: []string{"secret", "odoo"}},
	{pkg: "source", denied: []string{"pipeline", "load", "cli", "server"}},
	{pkg: "mapping", denied: []string{"pipeline", "load", "cli", "server"}},
	{pkg: "validate", denied: []string{"pipeline", "load", "cli", "server"}},
	{pkg: "mask", denied: []string{"pipeline", "load", "cli", "server"}},
	{pkg: "sandbox", denied: []string{"cli", "load", "ledger", "server"}},
}

func TestLayering(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if !strings.HasPrefix(p, module) {
				continue
			}
			checkImport(t, path, pkg, strings.TrimPrefix(p, module))
		}
		return nil
	})
	require.NoError(t, err)
}

func checkImport(t *testing.T, file, pkg, imported string) {
	t.Helper()
	for _, rule := range layering {
		if pkg != rule.pkg && !strings.HasPrefix(pkg, rule.pkg+"/") {
			continue
		}
		for _, d := range rule.denied {
			if imported == d || strings.HasPrefix(imported, d+"/") {
				t.Errorf("%s: package %s must not import %s", file, pkg, imported)
			}
		}
		if rule.only != nil && !allowed(imported, rule.only) {
			t.Errorf("%s: package %s may import only %v of ours, not %s", file, pkg, rule.only, imported)
		}
	}
}

func allowed(imported string, only []string) bool {
	for _, o := range only {
		if imported == o || strings.HasPrefix(imported, o+"/") {
			return true
		}
	}
	return false
}
