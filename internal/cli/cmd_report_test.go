package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The reports of a run and a verification are listed and rendered again
// by run id, by name or as the latest.
func TestReportListsAndRendersAgain(t *testing.T) {
	plan, _ := demoTarget(t, 18)
	code, out, errs := run(t, "run", plan, "--backup", "none")
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	runID := regexp.MustCompile(`run-(r\d{8}T\d{6}Z-[0-9a-f]+)`).FindStringSubmatch(out)
	require.NotNil(t, runID, out)
	code, _, errs = run(t, "verify", plan)
	require.Equal(t, ExitOK, code, errs)

	code, out, errs = run(t, "report", plan)
	require.Equal(t, ExitOK, code, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	require.True(t, strings.HasPrefix(lines[0], "run-"+runID[1]+"\trun\t"), lines[0])
	require.True(t, strings.HasPrefix(lines[1], "verify-"), lines[1])

	dir := t.TempDir()
	code, out, errs = run(t, "report", plan, runID[1], "-o", dir)
	require.Equal(t, ExitOK, code, errs)
	require.Equal(t, filepath.Join(dir, "report.html"), strings.TrimSpace(out))
	for _, f := range []string{"report.html", "report.json", "report.md"} {
		_, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
	}
	code, out, _ = run(t, "report", plan, "latest")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, "verify-")
	code, _, errs = run(t, "report", plan, "r0")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "no report")
}
