package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// globalOptions are flags every command shares, plus the process's streams.
type globalOptions struct {
	JSON     bool
	Quiet    bool
	StateDir string
	// State is where the ledger lives: "" for SQLite in the state
	// directory, or a postgres:// URL (env FERRY_STATE).
	State string

	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
}

func (g *globalOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&g.JSON, "json", false, "print machine-readable JSON (progress as one event per line on stderr)")
	fs.BoolVarP(&g.Quiet, "quiet", "q", false, "print only results and errors")
	fs.StringVar(&g.StateDir, "state-dir", "", "directory for Ferry's state (default: .ferry beside the plan, or ./.ferry)")
	fs.StringVar(&g.State, "state", os.Getenv("FERRY_STATE"), "keep the ledger in PostgreSQL: postgres://user@host/db (password from PGPASSWORD or ~/.pgpass; env FERRY_STATE); reports, quarantine files and the audit log stay in the state directory")
}

// commands lists every command constructor. Adding a command is one line here.
func commands(g *globalOptions) []*cobra.Command {
	return []*cobra.Command{
		newVersionCmd(g),
		newCompareCmd(g),
		newSnapshotCmd(g),
		newValidateCmd(g),
		newPingCmd(g),
		newSchemaCmd(g),
		newVerifyCmd(g),
		newReportCmd(g),
		newSandboxCmd(g),
		newRunCmd(g),
		newDemoCmd(g),
		newBenchCmd(g),
		newRollbackCmd(g),
		newAuditCmd(g),
		newBackupCmd(g),
		newDiscoverCmd(g),
		newInitCmd(g),
	}
}

// Main runs the ferry command line with args (without the program name) and
// returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globalOptions{stdin: stdin, stdout: stdout, stderr: stderr}
	g.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	root := &cobra.Command{
		Use:           "ferry",
		Short:         "Move business data into Odoo and prove it arrived whole, correct and unexposed",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	g.AddFlags(root.PersistentFlags())
	root.AddCommand(commands(g)...)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return Usage(err) })
	err := root.ExecuteContext(ctx)
	if err != nil && isCobraUsage(err) {
		err = Usage(err)
	}
	if err != nil && err.Error() != "" {
		fmt.Fprintln(stderr, "ferry:", err)
	}
	return exitCode(err)
}

func isCobraUsage(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "unknown command") || strings.HasPrefix(s, "accepts ") ||
		strings.HasPrefix(s, "requires ") || strings.Contains(s, "invalid argument")
}
