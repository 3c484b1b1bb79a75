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
	"github.com/ferry-migrate/ferry/internal/ledger"
)

// openAudit opens <dir>/audit.jsonl; with FERRY_AUDIT_KEY (a key file
// from `ferry audit keygen`) every entry is signed, and every append also
// writes the log's checkpoint to each file named in FERRY_AUDIT_ANCHOR
// (a list separated like PATH).
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
	log.AnchorTo(anchorsFromEnv()...)
	return log, nil
}

func anchorsFromEnv() []string {
	return filepath.SplitList(os.Getenv("FERRY_AUDIT_ANCHOR"))
}

// recordAudit appends e (Actor defaults to the OS user) to the audit log
// in the state directory dir and returns the log's checkpoint after it.
func recordAudit(ctx context.Context, dir string, e audit.Event) (audit.Checkpoint, error) {
	log, err := openAudit(dir)
	if err != nil {
		return audit.Checkpoint{}, err
	}
	defer log.Close()
	if e.Actor == "" {
		e.Actor = actor()
	}
	if _, err := log.Append(context.WithoutCancel(ctx), e); err != nil {
		return audit.Checkpoint{}, err
	}
	return log.Checkpoint(), nil
}

func newAuditCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Create signing keys for, verify and show the tamper-evident audit log; audit the security of the target and sources",
	}
	cmd.AddCommand(newAuditKeygenCmd(g), newAuditVerifyCmd(g), newAuditShowCmd(g), newAuditSecurityCmd(g))
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
	var anchors []string
	cmd := &cobra.Command{
		Use:   "verify [--log FILE] [--pub FILE] [--anchor FILE...]",
		Short: "Check every hash and link of the audit log (and every signature with --pub) and that no checkpoint shows a cut-off tail; exit 5 at the first bad entry",
		Long: "verify reads the checkpoints kept outside the log — the file beside it, --anchor files (and\n" +
			"FERRY_AUDIT_ANCHOR), every report under the state directory and the ledger's runs — and fails when\n" +
			"the log ends before the newest of them or disagrees with one. With --pub only checkpoints signed by\n" +
			"that key count.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAuditVerify(cmd.Context(), g, auditLogPath(g, log), pub, append(anchors, anchorsFromEnv()...))
		},
	}
	cmd.Flags().StringVar(&log, "log", "", "audit log (default: <state-dir>/audit.jsonl)")
	cmd.Flags().StringVar(&pub, "pub", "", "public key: also require every entry and checkpoint to be signed by its key")
	cmd.Flags().StringSliceVar(&anchors, "anchor", nil, "checkpoint file kept elsewhere (repeatable)")
	return cmd
}

func runAuditVerify(ctx context.Context, g *globalOptions, path, pubPath string, anchors []string) error {
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
	}
	cps, err := findCheckpoints(ctx, g, path, anchors)
	if err != nil {
		return err
	}
	err = audit.VerifyWith(ctx, f, key, cps)
	var ce *audit.ChainError
	if errors.As(err, &ce) {
		return Exit(ExitIntegrity, fmt.Errorf("%s: %w", path, err))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "%s: %s\n", path, auditVerdict(key, cps))
	return nil
}

func auditVerdict(key ed25519.PublicKey, cps []audit.Found) string {
	what := "hash chain intact"
	if key != nil {
		what += ", every entry signed by the key"
	}
	if len(cps) == 0 {
		return what + "; no checkpoint found, so a cut-off tail cannot be ruled out (set FERRY_AUDIT_ANCHOR)"
	}
	var newest int64
	for _, c := range cps {
		newest = max(newest, c.Seq)
	}
	return fmt.Sprintf("%s; %d checkpoint(s) agree, the newest at seq %d", what, len(cps), newest)
}

// findCheckpoints collects the checkpoints kept outside the log at path:
// the file beside it, the anchors, the reports and the ledger in its
// directory. Missing places are skipped; unreadable ones are errors.
func findCheckpoints(ctx context.Context, g *globalOptions, path string, anchors []string) ([]audit.Found, error) {
	var out []audit.Found
	for _, p := range append([]string{audit.CheckpointFile(path)}, anchors...) {
		c, err := audit.ReadCheckpoint(p)
		if errors.Is(err, os.ErrNotExist) && p == audit.CheckpointFile(path) {
			continue
		}
		if err != nil {
			return nil, Usage(err)
		}
		out = append(out, c)
	}
	dir := filepath.Dir(path)
	fromReports, err := reportCheckpoints(dir)
	if err != nil {
		return nil, err
	}
	fromLedger, err := ledgerCheckpoints(ctx, g, dir)
	return append(append(out, fromReports...), fromLedger...), err
}

func reportCheckpoints(dir string) ([]audit.Found, error) {
	files, err := filepath.Glob(filepath.Join(dir, "reports", "*", "report.json"))
	if err != nil {
		return nil, err
	}
	var out []audit.Found
	for _, f := range files {
		var rep struct {
			Audit struct {
				Checkpoint string `json:"checkpoint"`
			} `json:"audit"`
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if json.Unmarshal(b, &rep) != nil || rep.Audit.Checkpoint == "" {
			continue
		}
		c, err := audit.ParseCheckpoint(rep.Audit.Checkpoint)
		if err != nil {
			return nil, Exit(ExitIntegrity, fmt.Errorf("%s: %w", f, err))
		}
		out = append(out, audit.Found{Checkpoint: c, From: f})
	}
	return out, nil
}

func ledgerCheckpoints(ctx context.Context, g *globalOptions, dir string) ([]audit.Found, error) {
	var runs []ledger.Run
	err := readLedger(ctx, g, dir, func(st *ledger.Store) (err error) { runs, err = st.Runs(ctx); return err })
	if err != nil {
		return nil, err
	}
	var out []audit.Found
	for _, r := range runs {
		if r.AuditCheckpoint == "" {
			continue
		}
		c, err := audit.ParseCheckpoint(r.AuditCheckpoint)
		if err != nil {
			return nil, Exit(ExitIntegrity, fmt.Errorf("ledger run %s: %w", r.ID, err))
		}
		out = append(out, audit.Found{Checkpoint: c, From: "ledger run " + r.ID})
	}
	return out, nil
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
