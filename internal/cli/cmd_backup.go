package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/backup"
	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// backupKeys are the key flags: recipients to encrypt to, an identity
// file to decrypt with, or a passphrase from FERRY_BACKUP_PASSPHRASE; the
// manifest is signed with FERRY_AUDIT_KEY when it is set, and checked
// against --signed-by.
type backupKeys struct {
	Recipients []string
	Identity   string
	SignedBy   string
}

func (k *backupKeys) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&k.Recipients, "recipient", nil, "age X25519 public key to encrypt to (repeatable); else FERRY_BACKUP_PASSPHRASE")
	fs.StringVar(&k.Identity, "identity", "", "age identity file to decrypt with; else FERRY_BACKUP_PASSPHRASE")
	fs.StringVar(&k.SignedBy, "signed-by", "", "public key file (ferry audit keygen's .pub): the manifest must carry a valid signature by it")
}

func (k *backupKeys) keys() (backup.Keys, error) {
	var out backup.Keys
	for _, r := range k.Recipients {
		rc, err := age.ParseX25519Recipient(r)
		if err != nil {
			return out, Usage(fmt.Errorf("--recipient %s: %w", r, err))
		}
		out.Recipients = append(out.Recipients, rc)
	}
	if k.Identity != "" {
		ids, err := readIdentities(k.Identity)
		if err != nil {
			return out, err
		}
		out.Identities = ids
	}
	if p := os.Getenv("FERRY_BACKUP_PASSPHRASE"); p != "" {
		out.Passphrase = secret.New(p)
	}
	return out, k.signing(&out)
}

func readIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Usage(err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, Usage(fmt.Errorf("--identity %s: %w", path, err))
	}
	return ids, nil
}

func (k *backupKeys) signing(out *backup.Keys) error {
	var err error
	if path := os.Getenv("FERRY_AUDIT_KEY"); path != "" {
		if out.SignKey, err = audit.LoadPrivateKey(path); err != nil {
			return Usage(err)
		}
	}
	if k.SignedBy != "" {
		if out.VerifyKey, err = audit.LoadPublicKey(k.SignedBy); err != nil {
			return Usage(err)
		}
	}
	return nil
}

func dsnFromEnv(name string) (secret.String, error) {
	if name == "" {
		return secret.String{}, Usage(errors.New("name the environment variable that holds the database DSN with --dsn-env"))
	}
	v := os.Getenv(name)
	if v == "" {
		return secret.String{}, Usage(fmt.Errorf("environment variable %s is not set", name))
	}
	return secret.New(v), nil
}

func newBackupCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Take, verify, restore and list encrypted backups of the target's database and filestore",
		Long: "Stores (--to, repeatable) are a local directory, sftp://user@host[:port]/dir (host key checked\n" +
			"against --known-hosts) or s3://host[:port]/bucket[/prefix] (TLS; s3+http:// only on loopback).\n" +
			"Every store receives a full copy. See docs/design/backup.md.",
	}
	cmd.AddCommand(newBackupCreateCmd(g), newBackupVerifyCmd(g), newBackupRestoreCmd(g), newBackupListCmd(g))
	return cmd
}

// managerFlags opt into Odoo's database manager instead of pg_dump.
type managerFlags struct {
	URL, DB, PasswordEnv string
}

func (f *managerFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.URL, "manager-url", "", "opt-in: back up through Odoo's database manager at this base URL (a zip: dump.sql, manifest.json, filestore/) instead of pg_dump")
	fs.StringVar(&f.DB, "manager-db", "", "the database the manager backs up")
	fs.StringVar(&f.PasswordEnv, "master-password-env", "", "environment variable holding Odoo's master password")
}

func (f *managerFlags) source() (*backup.ManagerSource, error) {
	if f.URL == "" {
		return nil, nil
	}
	if f.DB == "" || f.PasswordEnv == "" {
		return nil, Usage(errors.New("--manager-url needs --manager-db and --master-password-env"))
	}
	pw := os.Getenv(f.PasswordEnv)
	if pw == "" {
		return nil, Usage(fmt.Errorf("environment variable %s is not set", f.PasswordEnv))
	}
	return &backup.ManagerSource{URL: f.URL, Database: f.DB, MasterPassword: secret.New(pw)}, nil
}

// backupRequest is one backup to take: from where, into which stores,
// with which keys, keeping how many.
type backupRequest struct {
	Source backup.Source
	To     []string
	Stores storeFlags
	Keys   backup.Keys
	Keep   int
	// AuditDir is the state directory whose audit log records the backup.
	AuditDir string
}

func newBackupCreateCmd(g *globalOptions) *cobra.Command {
	var k backupKeys
	var req backupRequest
	var dsnEnv string
	var mgr managerFlags
	cmd := &cobra.Command{
		Use:   "create (--dsn-env VAR [--filestore DIR] | --manager-url URL --manager-db DB --master-password-env VAR) --to STORE...",
		Short: "pg_dump the database (and tar the filestore), encrypt with age, write to every store with a SHA-256 manifest, and verify every copy",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.Keys, err = k.keys(); err != nil {
				return err
			}
			if req.Source.Manager, err = mgr.source(); err != nil {
				return err
			}
			if req.Source.Manager == nil {
				if req.Source.DSN, err = dsnFromEnv(dsnEnv); err != nil {
					return err
				}
			}
			req.AuditDir = plainStateDir(g)
			_, err = runBackupCreate(cmd.Context(), g, req)
			return err
		},
	}
	k.AddFlags(cmd.Flags())
	req.Stores.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&dsnEnv, "dsn-env", "", "environment variable holding the PostgreSQL DSN of the Odoo database")
	mgr.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&req.Source.Filestore, "filestore", "", "the database's filestore directory (<data_dir>/filestore/<db>), or sftp://user@host/dir on the Odoo server, to back up with it")
	cmd.Flags().StringSliceVar(&req.To, "to", []string{"backups"}, "store to write to (repeatable)")
	cmd.Flags().IntVar(&req.Keep, "keep", 0, "keep only the newest N backups in each store (0: keep all)")
	return cmd
}

// runBackupCreate takes the backup, verifies every copy when it can
// decrypt, applies retention, and returns the manifest.
func runBackupCreate(ctx context.Context, g *globalOptions, req backupRequest) (*backup.Manifest, error) {
	if len(req.Keys.Recipients) == 0 && req.Keys.Passphrase.IsZero() {
		return nil, Usage(errors.New("backups are always encrypted: give --recipient age1… or set FERRY_BACKUP_PASSPHRASE"))
	}
	stores, closeAll, err := req.Stores.openAll(ctx, req.To)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	closeFS, err := req.Stores.remoteFilestore(ctx, &req.Source)
	if err != nil {
		return nil, err
	}
	defer closeFS()
	m, err := backup.Create(ctx, req.Source, stores, req.Keys, time.Now())
	if err != nil {
		return nil, auditBackup(ctx, req.AuditDir, "backup create", nil, stores, err)
	}
	checked := "not verified: give --identity or FERRY_BACKUP_PASSPHRASE to verify"
	if req.Keys.CanDecrypt() {
		if err := verifyEvery(ctx, stores, m.ID, req.Keys); err != nil {
			return m, auditBackup(ctx, req.AuditDir, "backup create", m, stores, err)
		}
		checked = fmt.Sprintf("every copy verified (%d)", len(stores))
	}
	if err := auditBackup(ctx, req.AuditDir, "backup create", m, stores, nil); err != nil {
		return m, err
	}
	fmt.Fprintf(g.stdout, "backup %s of %s: %d part(s), %d table(s), %d row(s), %d byte(s) encrypted (%s)%s; %s\n",
		m.ID, m.Database, len(m.Parts), len(m.Tables), m.Rows(), m.Bytes(), m.Encryption, signedNote(m), checked)
	return m, prune(ctx, g, stores, req.Keep)
}

// plainStateDir is the state directory of commands without a plan:
// --state-dir, else ./.ferry.
func plainStateDir(g *globalOptions) string {
	if g.StateDir != "" {
		return g.StateDir
	}
	return ".ferry"
}

// auditBackup records a backup action and its outcome; it returns opErr
// (the action's own error) unless recording fails.
func auditBackup(ctx context.Context, dir, action string, m *backup.Manifest, stores []dest.Store, opErr error) error {
	where := make([]string, len(stores))
	for i, s := range stores {
		where[i] = s.String()
	}
	e := audit.Event{Action: action, Result: "ok", Details: map[string]any{"stores": where}}
	if m != nil {
		e.Details["backup"] = m.ID
	}
	if m != nil && len(m.Parts) > 0 {
		e.Details["database"], e.Details["bytes"], e.Details["tables"] = m.Database, m.Bytes(), len(m.Tables)
		e.Digests = map[string]string{}
		for _, p := range m.Parts {
			e.Digests[p.Name] = p.SHA256
		}
	}
	if opErr != nil {
		e.Result, e.Details["error"] = "failed", opErr.Error()
	}
	if _, err := recordAudit(ctx, dir, e); err != nil {
		return errors.Join(opErr, err)
	}
	return opErr
}

func signedNote(m *backup.Manifest) string {
	if m.SignedBy == "" {
		return ""
	}
	return ", manifest signed"
}

func verifyEvery(ctx context.Context, stores []dest.Store, id string, keys backup.Keys) error {
	for _, s := range stores {
		if _, err := backup.Verify(ctx, s, id, keys); err != nil {
			return Exit(ExitIntegrity, err)
		}
	}
	return nil
}

func prune(ctx context.Context, g *globalOptions, stores []dest.Store, keep int) error {
	for _, s := range stores {
		gone, err := backup.Prune(ctx, s, keep)
		for _, id := range gone {
			fmt.Fprintf(g.stdout, "removed old backup %s from %s\n", id, s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func newBackupVerifyCmd(g *globalOptions) *cobra.Command {
	var k backupKeys
	var sf storeFlags
	var to []string
	var scratchEnv string
	cmd := &cobra.Command{
		Use:   "verify ID|DIR [--to STORE...] [--scratch-dsn-env VAR]",
		Short: "Re-read every copy of a backup and check every digest after decryption; optionally restore it into a scratch database and compare row counts",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := k.keys()
			if err != nil {
				return err
			}
			id, locs, err := backupRef(args[0], to)
			if err != nil {
				return err
			}
			stores, closeAll, err := sf.openAll(cmd.Context(), locs)
			if err != nil {
				return err
			}
			defer closeAll()
			err = runBackupVerify(cmd.Context(), g, stores, id, keys, scratchEnv)
			return auditBackup(cmd.Context(), plainStateDir(g), "backup verify", &backup.Manifest{ID: id}, stores, err)
		},
	}
	k.AddFlags(cmd.Flags())
	sf.AddFlags(cmd.Flags())
	cmd.Flags().StringSliceVar(&to, "to", nil, "store(s) holding the backup (default: the directory given, else ./backups)")
	cmd.Flags().StringVar(&scratchEnv, "scratch-dsn-env", "", "restore test: environment variable with the DSN of an empty scratch database")
	return cmd
}

// runBackupVerify verifies every copy: a damaged one is an integrity
// error (exit 5), as is a copy missing from a store while others verify; a
// backup no store holds is a usage error (a wrong id, exit 2).
func runBackupVerify(ctx context.Context, g *globalOptions, stores []dest.Store, id string, keys backup.Keys, scratchEnv string) error {
	var missing []string
	for _, s := range stores {
		m, err := backup.Verify(ctx, s, id, keys)
		var corrupt *backup.CorruptError
		if errors.Is(err, dest.ErrNotExist) && !errors.As(err, &corrupt) {
			missing = append(missing, s.String())
			continue
		}
		if err != nil {
			return err // a CorruptError says exit 5 itself; a store that cannot be read is exit 1
		}
		fmt.Fprintf(g.stdout, "%s in %s: %d part(s), every digest matches%s\n", id, s, len(m.Parts), signedNote(m))
	}
	switch {
	case len(missing) == len(stores):
		return Usage(fmt.Errorf("no backup %s in %s: ferry backup list shows the backups there", id, strings.Join(missing, ", ")))
	case len(missing) > 0:
		return Exit(ExitIntegrity, fmt.Errorf("backup %s is missing from %s (the other copies verify)", id, strings.Join(missing, ", ")))
	}
	if scratchEnv == "" {
		return nil
	}
	dsn, err := dsnFromEnv(scratchEnv)
	if err != nil {
		return err
	}
	diffs, err := backup.RestoreTest(ctx, stores[0], id, keys, dsn)
	if err != nil {
		return err
	}
	if len(diffs) > 0 {
		return Exit(ExitIntegrity, fmt.Errorf("restore test: %s", strings.Join(diffs, "; ")))
	}
	fmt.Fprintln(g.stdout, "restore test: every table has the row count it had at backup time")
	return nil
}

func newBackupRestoreCmd(g *globalOptions) *cobra.Command {
	var k backupKeys
	var sf storeFlags
	var from []string
	var dsnEnv string
	var to backup.Target
	cmd := &cobra.Command{
		Use:   "restore ID|DIR --dsn-env VAR [--from STORE] [--filestore DIR]",
		Short: "Verify a backup, then restore it into an empty database (and its filestore into an empty directory)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := k.keys()
			if err != nil {
				return err
			}
			if to.DSN, err = dsnFromEnv(dsnEnv); err != nil {
				return err
			}
			id, locs, err := backupRef(args[0], from)
			if err != nil {
				return err
			}
			s, err := sf.open(cmd.Context(), locs[0])
			if err != nil {
				return err
			}
			defer s.Close()
			m, err := backup.Restore(cmd.Context(), s, id, keys, to)
			if aerr := auditBackup(cmd.Context(), plainStateDir(g), "backup restore", &backup.Manifest{ID: id}, []dest.Store{s}, err); aerr != err {
				return aerr
			}
			if errors.Is(err, backup.ErrCorrupt) {
				return Exit(ExitIntegrity, err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "restored %s from %s: %d table(s)%s\n", id, s, len(m.Tables), filestoreNote(to.Filestore))
			return nil
		},
	}
	k.AddFlags(cmd.Flags())
	sf.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&dsnEnv, "dsn-env", "", "environment variable holding the DSN of the (empty) database to restore into")
	cmd.Flags().StringSliceVar(&from, "from", nil, "store holding the backup (default: the directory given, else ./backups)")
	cmd.Flags().StringVar(&to.Filestore, "filestore", "", "empty directory to restore the filestore into")
	return cmd
}

func filestoreNote(dir string) string {
	if dir == "" {
		return ""
	}
	return ", filestore in " + dir
}

func newBackupListCmd(g *globalOptions) *cobra.Command {
	var sf storeFlags
	var to []string
	cmd := &cobra.Command{
		Use:   "list [--to STORE...]",
		Short: "List the backups in each store, newest first; incomplete ones last",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stores, closeAll, err := sf.openAll(cmd.Context(), to)
			if err != nil {
				return err
			}
			defer closeAll()
			tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "STORE\tID\tCREATED\tDATABASE\tPARTS\tTABLES\tBYTES\tENCRYPTION")
			for _, s := range stores {
				if err := listStore(cmd.Context(), tw, s); err != nil {
					return err
				}
			}
			return tw.Flush()
		},
	}
	sf.AddFlags(cmd.Flags())
	cmd.Flags().StringSliceVar(&to, "to", []string{"backups"}, "store(s) to list")
	return cmd
}

func listStore(ctx context.Context, tw *tabwriter.Writer, s dest.Store) error {
	entries, err := backup.ListIn(ctx, s)
	if err != nil {
		return err
	}
	for _, e := range entries {
		m := e.Manifest
		if m == nil {
			fmt.Fprintf(tw, "%s\t%s\tincomplete: %v\t\t\t\t\t\n", s, e.ID, e.Err)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", s, m.ID, m.Created.Format(time.RFC3339), m.Database, len(m.Parts), len(m.Tables), m.Bytes(), m.Encryption)
	}
	return nil
}
