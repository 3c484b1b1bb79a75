package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDiscoverSuggestsMasksAndPrintsNoValue(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, writeDemoFiles(dir))
	code, out, errs := run(t, "discover", filepath.Join(dir, "plan.yaml"))
	require.Equal(t, ExitOK, code, errs)
	require.Regexp(t, `customers\s+email\s+email\s+values\s+\d+ of 1469`, out)
	require.Contains(t, out, "suggested for customers:  mask: {")
	require.NotContains(t, out, "products  name", "a product's name is not personal")
	require.False(t, strings.Contains(out, "@"), "no email address is printed")
	require.False(t, strings.Contains(out, "Market Street"), "no address is printed")
}

// The target's own records are scanned too with --target-model: a test
// copy of production may already hold personal data.
func TestDiscoverScansTheTargetsModels(t *testing.T) {
	plan, _ := demoTarget(t, 18)
	code, out, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, errs)
	code, out, errs = run(t, "discover", plan, "--target-model", "res.partner")
	require.Equal(t, ExitOK, code, errs)
	require.Regexp(t, `target res.partner\s+email\s+email\s+values`, out)
	require.Regexp(t, `target res.partner\s+phone\s+phone\s+values`, out)
	require.False(t, strings.Contains(out, "@"), "no email address is printed")
}
