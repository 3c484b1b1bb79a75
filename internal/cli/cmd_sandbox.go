package cli

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/sandbox"
)

type sandboxOptions struct {
	Listen   string
	Version  int
	Database string
	Schema   string
	APIKey   string
}

func newSandboxCmd(g *globalOptions) *cobra.Command {
	o := &sandboxOptions{}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the built-in Odoo-compatible server (XML-RPC, JSON-RPC, and JSON-2 in 19 mode)",
		Long: "sandbox serves Odoo's external API over an in-memory database seeded with the reference data\n" +
			"of a fresh Odoo (countries, currencies, units, chart of accounts, journals, taxes). Log in as\n" +
			"admin with password admin, or with the API key it prints. Nothing is kept when it stops.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSandbox(cmd.Context(), o, g) },
	}
	cmd.Flags().StringVar(&o.Listen, "listen", "127.0.0.1:8069", "address to listen on (loopback only)")
	cmd.Flags().IntVar(&o.Version, "odoo", 18, "Odoo version to answer as: 18 or 19")
	cmd.Flags().StringVar(&o.Database, "database", "sandbox", "database name")
	cmd.Flags().StringVar(&o.Schema, "schema", "", "schema snapshot to use instead of the built-in one (from `ferry schema snapshot`)")
	cmd.Flags().StringVar(&o.APIKey, "api-key", "", "admin API key (default: FERRY_SANDBOX_API_KEY, else a random one)")
	return cmd
}

func runSandbox(ctx context.Context, o *sandboxOptions, g *globalOptions) error {
	host, _, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return Usage(fmt.Errorf("--listen %s: %w", o.Listen, err))
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return Usage(fmt.Errorf("--listen %s: the sandbox has a well-known password and serves only loopback", o.Listen))
	}
	if o.Version != 18 && o.Version != 19 {
		return Usage(fmt.Errorf("--odoo %d: the sandbox answers as Odoo 18 or 19", o.Version))
	}
	opts := sandbox.Options{Version: o.Version, Database: o.Database, AdminKey: first(o.APIKey, os.Getenv("FERRY_SANDBOX_API_KEY"))}
	if o.Schema != "" {
		if opts.Schema, err = os.ReadFile(o.Schema); err != nil {
			return Usage(fmt.Errorf("--schema: %w", err))
		}
	}
	s, err := sandbox.Open(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		_ = s.Close()
	}()
	fmt.Fprintf(g.stdout, "sandbox answering as Odoo %d on http://%s, database %s\n", o.Version, ln.Addr(), o.Database)
	fmt.Fprintf(g.stdout, "login admin with password admin, or API key %s\n", s.AdminKey())
	fmt.Fprintf(g.stdout, "  export FERRY_ODOO_URL=http://%s FERRY_ODOO_DB=%s FERRY_ODOO_LOGIN=admin FERRY_ODOO_API_KEY=%s\n", ln.Addr(), o.Database, s.AdminKey())
	return s.Serve(ln)
}
