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

	"github.com/ferry-migrate/ferry/internal/backup"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// backupKeys are the key flags: recipients to encrypt to, an identity
// file to decrypt with, or a passphrase from FERRY_BACKUP_PASSPHRASE.
type backupKeys struct {
	Recipients []string
	Identity   string
}

func (k *backupKeys) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&k.Recipients, "recipient", nil, "age X25519 public key to encrypt to (repeatable); else FERRY_BACKUP_PASSPHRASE")
	fs.StringVar(&k.Identity, "identity", "", "age identity file to decrypt with; else FERRY_BACKUP_PASSPHRASE")
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
		f, err := os.Open(k.Identity)
		if err != nil {
			return out, Usage(err)
		}
		defer f.Close()
		if out.Identities, err = age.ParseIdentities(f); err != nil {
			return out, Usage(fmt.Errorf("--identity %s: %w", k.Identity, err))
		}
	}
	if p := os.Getenv("FERRY_BACKUP_PASSPHRASE"); p != "" {
		out.Passphrase = secret.New(p)
	}
	return out, nil
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
	cmd := &cobra.Command{Use: "backup", Short: "Take, verify, restore and list encrypted backups of the target's database"}
	cmd.AddCommand(newBackupCreateCmd(g), newBackupVerifyCmd(g), newBackupRestoreCmd(g), newBackupListCmd(g))
	return cmd
}

func newBackupCreateCmd(g *globalOptions) *cobra.Command {
	var k backupKeys
	var dsnEnv, to string
	var keep int
	cmd := &cobra.Command{
		Use:   "create --dsn-env VAR --to DIR",
		Short: "pg_dump the database, encrypt it with age, write it with a SHA-256 manifest, and verify it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			keys, err := k.keys()
			if err != nil {
				return err
			}
			dsn, err := dsnFromEnv(dsnEnv)
			if err != nil {
				return err
			}
			return runBackupCreate(cmd.Context(), g, dsn, to, keys, keep)
		},
	}
	k.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&dsnEnv, "dsn-env", "", "environment variable holding the PostgreSQL DSN of the Odoo database")
	cmd.Flags().StringVar(&to, "to", "backups", "directory that holds the backups")
	cmd.Flags().IntVar(&keep, "keep", 0, "keep only the newest N backups (0: keep all)")
	return cmd
}

func runBackupCreate(ctx context.Context, g *globalOptions, dsn secret.String, to string, keys backup.Keys, keep int) error {
	if len(keys.Recipients) == 0 && keys.Passphrase.IsZero() {
		return Usage(errors.New("backups are always encrypted: give --recipient age1… or set FERRY_BACKUP_PASSPHRASE"))
	}
	m, err := backup.Create(ctx, dsn, to, keys, time.Now())
	if err != nil {
		return err
	}
	dir := to + string(os.PathSeparator) + m.ID
	if len(keys.Identities) > 0 || !keys.Passphrase.IsZero() {
		if _, err := backup.Verify(dir, keys); err != nil {
			return Exit(ExitIntegrity, err)
		}
	}
	var rows int64
	for _, n := range m.Tables {
		rows += n
	}
	fmt.Fprintf(g.stdout, "backup %s of %s: %d table(s), %d row(s), %d byte(s) encrypted (%s); verified\n", dir, m.Database, len(m.Tables), rows, m.Parts[0].Bytes, m.Encryption)
	gone, err := backup.Prune(to, keep)
	for _, id := range gone {
		fmt.Fprintf(g.stdout, "removed old backup %s\n", id)
	}
	return err
}

func newBackupVerifyCmd(g *globalOptions) *cobra.Command {
	var k backupKeys
	var scratchEnv string
	cmd := &cobra.Command{
		Use:   "verify DIR [--restore-test --scratch-dsn-env VAR]",
		Short: "Re-read a backup, check every digest after decryption; optionally restore it into a scratch database and compare row counts",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := k.keys()
			if err != nil {
				return err
			}
			m, err := backup.Verify(args[0], keys)
			if err != nil {
				return Exit(ExitIntegrity, err)
			}
			fmt.Fprintf(g.stdout, "%s: %d part(s), every digest matches\n", args[0], len(m.Parts))
			if scratchEnv == "" {
				return nil
			}
			return runRestoreTest(cmd.Context(), g, args[0], keys, scratchEnv)
		},
	}
	k.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&scratchEnv, "scratch-dsn-env", "", "restore test: environment variable with the DSN of an empty scratch database")
	return cmd
}

func runRestoreTest(ctx context.Context, g *globalOptions, dir string, keys backup.Keys, env string) error {
	dsn, err := dsnFromEnv(env)
	if err != nil {
		return err
	}
	diffs, err := backup.RestoreTest(ctx, dir, keys, dsn)
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
	var dsnEnv string
	cmd := &cobra.Command{
		Use:   "restore DIR --dsn-env VAR",
		Short: "Verify a backup, then restore it into an empty database",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := k.keys()
			if err != nil {
				return err
			}
			dsn, err := dsnFromEnv(dsnEnv)
			if err != nil {
				return err
			}
			if err := backup.Restore(cmd.Context(), args[0], keys, dsn); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "restored %s\n", args[0])
			return nil
		},
	}
	k.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&dsnEnv, "dsn-env", "", "environment variable holding the DSN of the (empty) database to restore into")
	return cmd
}

func newBackupListCmd(g *globalOptions) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "list [--to DIR]",
		Short: "List the backups in a directory, newest first",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			list, err := backup.List(to)
			if err != nil {
				return Usage(err)
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCREATED\tDATABASE\tTABLES\tBYTES\tENCRYPTION")
			for _, m := range list {
				var n int64
				for _, p := range m.Parts {
					n += p.Bytes
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", m.ID, m.Created.Format(time.RFC3339), m.Database, len(m.Tables), n, m.Encryption)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&to, "to", "backups", "directory that holds the backups")
	return cmd
}
