package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/audit"
)

// openAudit opens <dir>/audit.jsonl; with FERRY_AUDIT_KEY (a key file
// from `ferry audit keygen`) every entry is signed.
func openAudit(dir string) (*audit.FileLog, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	log, err := audit.Open(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		return nil, err
	}
	if path := os.Getenv("FERRY_AUDIT_KEY"); path != "" {
		key, err := audit.LoadPrivateKey(path)
		if err != nil {
			log.Close()
			return nil, Usage(err)
		}
		log.SignWith(key)
	}
	return log, nil
}

func newAuditCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Create signing keys for, verify and show the tamper-evident audit log",
	}
	cmd.AddCommand(newAuditKeygenCmd(g), newAuditVerifyCmd(g), newAuditShowCmd(g))
	return cmd
}

func newAuditKeygenCmd(g *globalOptions) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen -o FILE",
		Short: "Create an Ed25519 signing key (FILE, mode 0600) and its public half (FILE.pub)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if out == "" {
				return Usage(errors.New("-o FILE is required"))
			}
			if err := audit.GenerateKey(out); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "wrote %s (keep it secret; set FERRY_AUDIT_KEY=%s) and %s.pub (give it to auditors)\n", out, out, out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "key file to create")
	return cmd
}

func auditLogPath(g *globalOptions, log string) string {
	if log != "" {
		return log
	}
	dir := g.StateDir
	if dir == "" {
		dir = ".ferry"
	}
	return filepath.Join(dir, "audit.jsonl")
}

func newAuditVerifyCmd(g *globalOptions) *cobra.Command {
	var log, pub string
	cmd := &cobra.Command{
		Use:   "verify [--log FILE] [--pub FILE]",
		Short: "Check every hash and link of the audit log (and every signature with --pub); exit 5 at the first bad line",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAuditVerify(cmd.Context(), g, auditLogPath(g, log), pub)
		},
	}
	cmd.Flags().StringVar(&log, "log", "", "audit log (default: <state-dir>/audit.jsonl)")
	cmd.Flags().StringVar(&pub, "pub", "", "public key: also require every entry to be signed by its key")
	return cmd
}

func runAuditVerify(ctx context.Context, g *globalOptions, path, pubPath string) error {
	f, err := os.Open(path)
	if err != nil {
		return Usage(err)
	}
	defer f.Close()
	var key ed25519.PublicKey
	if pubPath != "" {
		if key, err = audit.LoadPublicKey(pubPath); err != nil {
			return Usage(err)
		}
		err = audit.VerifySigned(ctx, f, key)
	} else {
		err = audit.VerifyReader(ctx, f)
	}
	var ce *audit.ChainError
	if errors.As(err, &ce) {
		return Exit(ExitIntegrity, fmt.Errorf("%s: %w", path, err))
	}
	if err != nil {
		return err
	}
	what := "hash chain intact"
	if key != nil {
		what += ", every entry signed by the key"
	}
	fmt.Fprintf(g.stdout, "%s: %s\n", path, what)
	return nil
}

func newAuditShowCmd(g *globalOptions) *cobra.Command {
	var log string
	cmd := &cobra.Command{
		Use:   "show [--log FILE]",
		Short: "List the audit log's entries (--json for all fields)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runAuditShow(g, auditLogPath(g, log))
		},
	}
	cmd.Flags().StringVar(&log, "log", "", "audit log (default: <state-dir>/audit.jsonl)")
	return cmd
}

func runAuditShow(g *globalOptions, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return Usage(err)
	}
	if g.JSON {
		_, err = g.stdout.Write(b)
		return err
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tACTION\tRUN\tRESULT\tSIGNED")
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var e audit.Event
		if err := json.Unmarshal(line, &e); err != nil {
			return Exit(ExitIntegrity, fmt.Errorf("%s: an entry is not valid JSON: %w", path, err))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%t\n", e.Seq, e.Time.Format("2006-01-02 15:04:05Z"), e.Actor, e.Action, e.RunID, e.Result, e.Sig != "")
	}
	return tw.Flush()
}
