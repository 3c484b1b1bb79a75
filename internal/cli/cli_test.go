package cli

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// run drives the whole CLI with buffers.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, bytes.NewReader(nil), &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "version")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, "ferry ")
}

func TestUnknownCommandIsUsage(t *testing.T) {
	code, _, errs := run(t, "frobnicate")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "unknown command")
}

type codedErr struct{}

func (codedErr) Error() string { return "chain broken" }
func (codedErr) ExitCode() int { return ExitIntegrity }

func TestExitCodeMapping(t *testing.T) {
	require.Equal(t, ExitOK, exitCode(nil))
	require.Equal(t, ExitInternal, exitCode(errors.New("x")))
	require.Equal(t, ExitUsage, exitCode(Usage(errors.New("bad flag"))))
	require.Equal(t, ExitIntegrity, exitCode(codedErr{}))
	require.Equal(t, ExitPartial, exitCode(Exit(ExitPartial, errors.New("4 rows rejected"))))
	require.Equal(t, ExitInterrupted, exitCode(context.Canceled))
}
