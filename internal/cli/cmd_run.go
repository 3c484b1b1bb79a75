package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/load"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/report"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/open"
	"github.com/ferry-migrate/ferry/internal/validate"
)

type runOptions struct {
	target     targetOptions
	Quarantine string
	Workers    int
	BatchSize  int
	Force      bool
	Overwrite  bool
	Backup     string
	BackupDSN  string
	backup     backupRequest
	backupKeys backupKeys
	Rehearse   bool
	Schema     string
}

func (o *runOptions) AddFlags(fs *pflag.FlagSet) {
	o.target.AddFlags(fs)
	fs.StringVar(&o.Quarantine, "quarantine", "", "directory for quarantine/<entity>.csv files (default: <state-dir>/quarantine)")
	fs.IntVar(&o.Workers, "workers", 0, "batches of one entity in flight at once (default: the plan's load.workers, else 2)")
	fs.IntVar(&o.BatchSize, "batch-size", 0, "records per load call (default: the entity's or plan's batch_size, else up to 500, starting at 200 and adapting to Odoo's answer times)")
	fs.BoolVar(&o.Force, "force", false, "resume an unfinished run even though the plan file changed")
	fs.BoolVar(&o.Overwrite, "overwrite-target-edits", false, "update records even where someone changed them in Odoo since an earlier run wrote them (else they are quarantined as changed_in_target, LOAD406)")
	fs.StringVar(&o.Backup, "backup", "", `"none" to load without a backup of the target (the plan's backup: none says the same)`)
	fs.StringVar(&o.BackupDSN, "backup-dsn-env", "", "back the target's database up first: environment variable with its PostgreSQL DSN")
	fs.StringSliceVar(&o.backup.To, "backup-to", []string{"backups"}, "store(s) for that backup: a directory, sftp://… or s3://… (repeatable)")
	fs.StringVar(&o.backup.Source.Filestore, "backup-filestore", "", "the target's filestore directory, backed up with the database")
	o.backup.Stores.AddFlags(fs)
	fs.StringSliceVar(&o.backupKeys.Recipients, "backup-recipient", nil, "age public key to encrypt the backup to (else FERRY_BACKUP_PASSPHRASE)")
	fs.StringVar(&o.backupKeys.Identity, "backup-identity", "", "age identity to verify the backup with (else FERRY_BACKUP_PASSPHRASE)")
	fs.BoolVar(&o.Rehearse, "rehearse", false, "load into an in-process sandbox built from the target's schema snapshot instead of the target")
	fs.StringVar(&o.Schema, "schema", "", "rehearsal: the target's schema snapshot (default: the plan's target.schema)")
}

func newRunCmd(g *globalOptions) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run PLAN",
		Short: "Load the plan's rows into Odoo: batched, idempotent, parallel and resumable",
		Long: "run validates every row like `ferry validate`, then loads the ready rows into the target in dependency\n" +
			"order through Odoo's load, keyed by external ID, and records each row's fate in the ledger\n" +
			"(<state-dir>/ledger.db). Rows Odoo refuses are quarantined with its message; the others load.\n" +
			"Running the same plan again resumes an unfinished run, or loads only new and changed rows.\n\n" +
			"It refuses to resume a run whose plan file changed (exit 6) unless --force, refuses to run while\n" +
			"another ferry uses the same state directory (exit 6), and refuses to run without a backup unless\n" +
			"--backup none or the plan's backup: none says so.\n\n" +
			"EXIT STATUS: 0 all rows loaded or unchanged; 2 usage or plan error; 4 rows quarantined, an\n" +
			"after-load action failed, or the target failed (run again to resume); 5 the identity\n" +
			"read = loaded + unchanged + quarantined + skipped does not hold; 6 see above; 130 interrupted.",
		Example: "  ferry run plan.yaml --backup none\n  ferry run plan.yaml --json --workers 4 2>progress.jsonl",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd.Context(), o, g, args[0])
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func runRun(ctx context.Context, o *runOptions, g *globalOptions, path string) error {
	p, err := loadPlan(path, g)
	if err != nil {
		return err
	}
	var backupDir string
	if o.Rehearse {
		sb, err := rehearsal(g, o, p)
		if err != nil {
			return err
		}
		defer sb.Close()
		backupDir = "none (rehearsal in the sandbox)"
	} else if backupDir, err = takeBackup(ctx, g, o, p); err != nil {
		return err
	}
	dir := stateDir(g, p)
	store, err := openLedger(ctx, g, dir)
	if err != nil {
		return err
	}
	defer store.Close()
	events := runEvents(g)
	lv, err := prepareLive(ctx, g, &o.target, p, events)
	if err != nil {
		return err
	}
	defer lv.pipeline.Close()
	inputs, err := inputDigests(p)
	if err != nil {
		return err
	}
	qdir := o.Quarantine
	if qdir == "" {
		qdir = filepath.Join(dir, "quarantine")
	}
	s, runErr := load.Run(ctx, lv.pipeline, lv.client, store, load.Options{Workers: o.Workers, BatchSize: o.BatchSize,
		Quarantine: qdir, Force: o.Force, Inputs: inputs, Events: events, OverwriteTargetEdits: o.Overwrite})
	if s.RunID == "" { // refused before it started (plan changed, ledger error)
		return runErr
	}
	target := secret.RedactURL(lv.client.URLString())
	cp, err := auditRun(ctx, dir, store, p, target, inputs, s, backupDir)
	if err != nil && runErr == nil {
		runErr = err
	}
	if err := reportRun(g, s, target); err != nil && runErr == nil {
		runErr = err
	}
	if !g.JSON {
		if err := printAdmins(ctx, g.stdout, lv.client, store, p); err != nil && runErr == nil {
			runErr = err
		}
	}
	if err := writeRunReport(ctx, g, p, lv.client.Version().Full, target, string(lv.client.Transport()), store, s, cp); err != nil && runErr == nil {
		runErr = err
	}
	return runExit(s, runErr)
}

// writeRunReport renders the run's report (counts, identity, quarantined
// rows, sources, context, audit head) into <state-dir>/reports/run-<id>/.
func writeRunReport(ctx context.Context, g *globalOptions, p *plan.Plan, version, target, transport string, st *ledger.Store, s *load.Summary, cp audit.Checkpoint) error {
	rep := &report.Report{SchemaVersion: 1, Kind: "run", Title: "Run of " + p.Name, Actor: actor(), StartedAt: time.Now().Add(-s.Took),
		FinishedAt: time.Now(), Plan: report.Plan{Name: p.Name, Path: p.File, Digest: p.Digest},
		Target: report.Target{URL: target, Database: p.Target.Database, Version: version, Protocol: transport}, Result: s.Result}
	if rep.Result == "done" {
		rep.Result = "ok"
	}
	for _, e := range s.Entities {
		if e.Pass == 1 {
			rep.Entities = append(rep.Entities, report.Entity{Name: e.Name, Model: e.Model,
				Counts: progress.Counts{Read: e.Read, Loaded: e.Loaded, Unchanged: e.Unchanged, Quarantined: e.Quarantined, Skipped: e.Skipped}})
		}
	}
	if err := runEvidence(ctx, rep, p, st, s, cp); err != nil {
		return err
	}
	out := filepath.Join(stateDir(g, p), "reports", "run-"+s.RunID)
	if err := writeReports(out, rep); err != nil {
		return err
	}
	if !g.JSON {
		fmt.Fprintf(g.stdout, "report: %s\n", filepath.Join(out, "report.html"))
	}
	return nil
}

// rehearsal starts a sandbox built from the target's schema snapshot,
// points the run at it, and keeps its state apart (<state-dir>/rehearsal,
// fresh each time: the sandbox starts empty).
func rehearsal(g *globalOptions, o *runOptions, p *plan.Plan) (*sandbox.Server, error) {
	path := first(o.Schema, p.Target.Schema)
	if path == "" {
		return nil, Usage(errors.New("--rehearse needs the target's schema snapshot: --schema FILE or target.schema in the plan (ferry schema snapshot -o FILE makes one)"))
	}
	if !filepath.IsAbs(path) && o.Schema == "" {
		path = filepath.Join(p.Dir, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, Usage(err)
	}
	_, major, err := validate.ParseSchema(raw, path)
	if err != nil {
		return nil, Usage(err)
	}
	if major != 19 {
		major = 18
	}
	sb, err := sandbox.New(sandbox.Options{Version: major, Schema: raw, Database: "rehearsal"})
	if err != nil {
		return nil, err
	}
	if err := activateLikeTarget(sb, p, raw); err != nil {
		sb.Close()
		return nil, Usage(err)
	}
	state := filepath.Join(stateDir(g, p), "rehearsal")
	if err := os.RemoveAll(state); err != nil {
		sb.Close()
		return nil, err
	}
	g.StateDir = state
	o.target = targetOptions{URL: sb.URL, DB: sb.Database(), Login: "admin", Timeout: o.target.Timeout, apiKey: secret.New(sb.AdminKey())}
	fmt.Fprintf(g.stderr, "ferry: rehearsal: loading into a sandbox answering as Odoo %d with the schema of %s; state in %s\n", major, path, state)
	return sb, nil
}

// activateLikeTarget activates in a rehearsal's sandbox the currencies and
// languages the snapshot found active in the target (ferry schema
// snapshot records them), and the plan's languages.
func activateLikeTarget(sb *sandbox.Server, p *plan.Plan, snapshot []byte) error {
	var s struct {
		Active map[string][]string `json:"active"`
	}
	if err := json.Unmarshal(snapshot, &s); err != nil {
		return err
	}
	if err := sb.ActivateCurrencies(s.Active["res.currency"]...); err != nil {
		return err
	}
	return sb.ActivateLanguages(append(s.Active["res.lang"], p.Languages()...)...)
}

// takeBackup backs the target's database up and verifies every copy
// before a run; it returns where the backup is, or "none" when the user
// chose to run without one (recorded in the audit log).
func takeBackup(ctx context.Context, g *globalOptions, o *runOptions, p *plan.Plan) (string, error) {
	if first(o.Backup, p.Backup) == "none" && o.BackupDSN == "" {
		return "none", nil
	}
	if o.BackupDSN == "" {
		return "", Usage(errors.New("ferry backs the target up before a run: give --backup-dsn-env VAR (the Odoo database's " +
			"PostgreSQL DSN) with --backup-recipient or FERRY_BACKUP_PASSPHRASE, or --backup none (or backup: none in the plan) to load without one"))
	}
	req := o.backup
	var err error
	if req.Keys, err = o.backupKeys.keys(); err != nil {
		return "", err
	}
	if req.Source.DSN, err = dsnFromEnv(o.BackupDSN); err != nil {
		return "", err
	}
	if !req.Keys.CanDecrypt() {
		return "", Usage(errors.New("a run verifies its backup before loading: give --backup-identity or FERRY_BACKUP_PASSPHRASE"))
	}
	req.AuditDir = stateDir(g, p)
	m, err := runBackupCreate(ctx, g, req)
	if err != nil {
		return "", err
	}
	where := make([]string, len(req.To))
	for i, loc := range req.To {
		where[i] = strings.TrimSuffix(secret.RedactURL(loc), "/") + "/" + m.ID
	}
	return strings.Join(where, ", "), nil
}

// runEvents prints progress: one JSON event per line on stderr with
// --json, else a line per finished entity unless --quiet.
func runEvents(g *globalOptions) progress.Sink {
	if g.JSON {
		return progress.NewJSONLines(g.stderr)
	}
	if g.Quiet {
		return progress.Discard
	}
	return progress.SinkFunc(func(e progress.Event) {
		switch ev := e.(type) {
		case progress.EntityFinished:
			c := ev.Counts
			fmt.Fprintf(g.stderr, "%s: read %d, loaded %d, unchanged %d, quarantined %d, skipped %d (%s)\n",
				ev.Entity, c.Read, c.Loaded, c.Unchanged, c.Quarantined, c.Skipped, ev.Took.Round(time.Millisecond))
		case progress.Retry:
			fmt.Fprintf(g.stderr, "%s: retry %d in %s: %s\n", ev.Entity, ev.Try, ev.Wait, ev.Reason)
		case progress.Message:
			fmt.Fprintf(g.stderr, "ferry: %s: %s\n", ev.Level, ev.Text)
		}
	})
}

// inputDigests digests the content of every file an entity or its lines
// read (database sources are not digested: per-row fingerprints decide).
func inputDigests(p *plan.Plan) (map[string]string, error) {
	out := map[string]string{}
	for _, e := range p.Entities {
		sels := []source.Select{e.From}
		for _, l := range e.Lines {
			sels = append(sels, l.From)
		}
		for _, sel := range sels {
			spec, ok := p.Sources[sel.Source]
			if !ok || sel.File == "" || (spec.Kind != "csv" && spec.Kind != "xlsx") {
				continue
			}
			src, err := open.Open(context.Background(), sel.Source, spec, sel, p.Dir)
			if err != nil {
				return nil, err
			}
			d, isDigester := src.(source.Digester)
			var sum string
			if isDigester {
				sum, err = d.Digest(context.Background())
			}
			src.Close()
			if err != nil {
				return nil, fmt.Errorf("digest source %s file %s: %w", sel.Source, sel.File, err)
			}
			if sum != "" {
				out[sel.Source+"/"+sel.File] = sum
			}
		}
	}
	return out, nil
}

// auditRun appends the run to <state-dir>/audit.jsonl (digests and
// counts, never record values) and keeps the log's checkpoint in the
// run's ledger record.
func auditRun(ctx context.Context, dir string, st *ledger.Store, p *plan.Plan, target string, inputs map[string]string, s *load.Summary, backupDir string) (audit.Checkpoint, error) {
	digests := map[string]string{"plan": p.Digest}
	for k, v := range inputs {
		digests["source:"+k] = v
	}
	counts := map[string]any{}
	for _, e := range s.Entities {
		counts[fmt.Sprintf("%s/%d", e.Name, e.Pass)] = map[string]int64{"read": e.Read, "loaded": e.Loaded,
			"unchanged": e.Unchanged, "quarantined": e.Quarantined, "skipped": e.Skipped}
	}
	details := map[string]any{"counts": counts, "context": s.Context, "identity_holds": s.Holds, "backup": backupDir}
	if u := unmaskedChoices(p); len(u) > 0 {
		details["unmasked_personal_fields"] = u // the plan's explicit choice, for a test target
	}
	cp, err := recordAudit(ctx, dir, audit.Event{Action: audit.ActionRun, RunID: s.RunID,
		Plan: p.Name, Target: target, Digests: digests, Result: s.Result, Details: details})
	if err != nil {
		return cp, err
	}
	return cp, st.SetAuditCheckpoint(context.WithoutCancel(ctx), s.RunID, cp.String())
}

// unmaskedChoices lists, per entity, the personal fields a plan for a
// test target loads unmasked on purpose.
func unmaskedChoices(p *plan.Plan) map[string][]string {
	out := map[string][]string{}
	if p.Target.Environment != "test" {
		return out
	}
	for _, e := range p.Entities {
		if len(e.Unmasked) > 0 {
			out[e.Name] = e.Unmasked
		}
	}
	return out
}

func reportRun(g *globalOptions, s *load.Summary, target string) error {
	if g.JSON {
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return err
		}
		_, err = g.stdout.Write(append(b, '\n'))
		return err
	}
	return printRun(g.stdout, s, target)
}

func printRun(w io.Writer, s *load.Summary, target string) error {
	resumed := ""
	if s.Resumed {
		resumed = " (resumed)"
	}
	fmt.Fprintf(w, "run %s%s: plan %s (sha256 %.12s) into %s\n\n", s.RunID, resumed, s.Plan, s.Digest, target)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "entity\tmodel\tread\tloaded\tunchanged\tquarantined\tskipped\tidentity\t")
	for _, e := range s.Entities {
		name := e.Name
		if e.Pass == 2 {
			name += " (links)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t\n", name, e.Model, e.Read, e.Loaded, e.Unchanged, e.Quarantined, e.Skipped, holds(e.Holds))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nidentity: read = loaded + unchanged + quarantined + skipped")
	for _, e := range s.Entities {
		if e.AfterLoad != nil {
			fmt.Fprintf(w, "after load %s.%s: %d done, %d failed\n", e.Name, e.AfterLoad.Method, e.AfterLoad.Done, e.AfterLoad.Failed)
		}
		if t := e.Translations; t != nil {
			fmt.Fprintf(w, "translations %s: %d written, %d unchanged, %d failed\n", e.Name, t.Written, t.Unchanged, t.Failed)
		}
		if rc := e.Reconcile; rc != nil {
			fmt.Fprintf(w, "reconcile %s: %d done, %d unchanged, %d failed\n", e.Name, rc.Done, rc.Unchanged, rc.Failed)
			for i, f := range rc.Refused {
				if i == 3 {
					fmt.Fprintf(w, "  … %d more in the JSON summary and the quarantine file\n", len(rc.Refused)-i)
					break
				}
				fmt.Fprintf(w, "  not reconciled %s: %s\n", f.ExternalID, f.Message)
			}
		}
		for _, f := range e.Quarantine {
			fmt.Fprintf(w, "quarantine: %s\n", f)
		}
		if n := len(e.ChangedDuringRun); n > 0 {
			fmt.Fprintf(w, "%s: %d row(s) changed in the source while the run was interrupted, sent again (%s)\n", e.Name, n, firstKeys(e.ChangedDuringRun, 3))
		}
		if n := len(e.LineMissingInSource); n > 0 {
			fmt.Fprintf(w, "%s: %d line(s) written earlier are gone from the source and stay in Odoo (%s)\n", e.Name, n, firstKeys(e.LineMissingInSource, 3))
		}
		if n := len(e.LinesRemoved); n > 0 {
			fmt.Fprintf(w, "%s: %d line(s) gone from the source deleted in Odoo (replace: %s)\n", e.Name, n, firstKeys(e.LinesRemoved, 3))
		}
		if n := len(e.MissingInSource); n > 0 {
			fmt.Fprintf(w, "%s: %d row(s) loaded earlier are gone from the source (%s)%s\n", e.Name, n, firstKeys(e.MissingInSource, 3), archivedNote(e.Archived))
		}
	}
	fmt.Fprintf(w, "result: %s in %s; ledger: %s\n", s.Result, s.Took.Round(time.Millisecond), s.Ledger)
	return nil
}

// runExit maps the run's outcome to the exit code: the load error's own
// code first, then 4 for a partial result.
func runExit(s *load.Summary, err error) error {
	if err != nil {
		return err
	}
	if s.Result == "partial" {
		n := int64(0)
		for _, e := range s.Entities {
			if e.Pass == 1 {
				n += e.Quarantined
			}
		}
		return Exit(ExitPartial, fmt.Errorf("partial load: %d row(s) quarantined or after-load actions, translations or reconciliations failed (see the quarantine files)", n))
	}
	return nil
}

func firstKeys(keys []string, n int) string {
	if len(keys) <= n {
		return strings.Join(keys, ", ")
	}
	return strings.Join(keys[:n], ", ") + fmt.Sprintf(", … %d more in the JSON summary", len(keys)-n)
}

func archivedNote(n int64) string {
	if n == 0 {
		return "; kept in the target (on_delete: archive archives them)"
	}
	return fmt.Sprintf("; %d archived", n)
}
