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
