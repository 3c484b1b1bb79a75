package cli

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The partners benchmark runs end to end against the sandbox and cleans
// up after itself (its figures are measured, not asserted).
func TestBenchPartnersRuns(t *testing.T) {
	t.Setenv("FERRY_BENCH_ODOO_URL", "")
	code, out, errs := run(t, "bench", "--partners", "600", "--repeat", "1")
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "600 partners into the in-process sandbox")
	require.Regexp(t, `median ratio \d+\.\d\d× the sequential client, \d+ % of the server.s ceiling`, out)
}
