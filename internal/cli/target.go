package cli

import (
	"context"
	"fmt"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// targetOptions say how to reach an Odoo database. Flags win over the
// environment (FERRY_ODOO_URL, _DB, _LOGIN, _PASSWORD, _API_KEY), which
// wins over a plan's target. Secrets come only from the environment or the
// plan's references, never from flags (they would show in process lists).
type targetOptions struct {
	URL       string
	DB        string
	Login     string
	Transport string
	Insecure  bool
	CAFile    string
	Pin       string
	Timeout   time.Duration
	// apiKey, when set, is used instead of the environment and the plan
	// (the demo's sandbox key).
	apiKey secret.String
}

func (o *targetOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.URL, "url", "", "Odoo base URL (env FERRY_ODOO_URL)")
	fs.StringVar(&o.DB, "db", "", "database name (env FERRY_ODOO_DB)")
	fs.StringVar(&o.Login, "login", "", "login (env FERRY_ODOO_LOGIN); the password or API key comes from FERRY_ODOO_PASSWORD or FERRY_ODOO_API_KEY")
	fs.StringVar(&o.Transport, "transport", "auto", "json2, jsonrpc, xmlrpc or auto (JSON-2 on Odoo 19+ with an API key, else JSON-RPC)")
	fs.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP or an unverified certificate outside loopback (warned on every run)")
	fs.StringVar(&o.CAFile, "ca-file", "", "PEM file of extra trusted certificate authorities")
	fs.StringVar(&o.Pin, "pin-sha256", "", "hex SHA-256 of the server certificate's public key (pinning)")
	fs.DurationVar(&o.Timeout, "timeout", 5*time.Minute, "how long one call may take")
}

// config builds the client configuration from flags, environment and the
// plan's target (t may be nil).
func (o *targetOptions) config(t *plan.Target) (odoo.Config, error) {
	if t == nil {
		t = &plan.Target{}
	}
	c := odoo.Config{
		URL:         first(o.URL, os.Getenv("FERRY_ODOO_URL"), t.URL),
		Database:    first(o.DB, os.Getenv("FERRY_ODOO_DB"), t.Database),
		Login:       first(o.Login, os.Getenv("FERRY_ODOO_LOGIN"), t.Login),
		Insecure:    o.Insecure || t.Insecure,
		CAFile:      first(o.CAFile, t.CAFile),
		Pin:         first(o.Pin, t.PinSHA256),
		ReadTimeout: o.Timeout,
	}
	tr, err := odoo.ParseTransport(first(nonAuto(o.Transport), t.Protocol))
	if err != nil {
		return c, Usage(err)
	}
	c.Transport = tr
	if !o.apiKey.IsZero() {
		c.APIKey = o.apiKey
		return c, nil
	}
	if c.Password, err = secretFrom("FERRY_ODOO_PASSWORD", t.Password); err != nil {
		return c, err
	}
	if c.APIKey, err = secretFrom("FERRY_ODOO_API_KEY", t.APIKey); err != nil {
		return c, err
	}
	return c, nil
}

// dial connects and prints the client's warnings on stderr.
func (o *targetOptions) dial(ctx context.Context, g *globalOptions, t *plan.Target) (*odoo.Client, error) {
	cfg, err := o.config(t)
	if err != nil {
		return nil, err
	}
	c, err := odoo.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	for _, w := range c.Warnings() {
		fmt.Fprintln(g.stderr, "ferry: warning:", w)
	}
	return c, nil
}

func secretFrom(env string, ref secret.Ref) (secret.String, error) {
	if v := os.Getenv(env); v != "" {
		return secret.New(v), nil
	}
	if ref.IsZero() {
		return secret.String{}, nil
	}
	return ref.Resolve()
}

func nonAuto(s string) string {
	if s == "auto" {
		return ""
	}
	return s
}

func first(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// openLedger opens the ledger of the state directory dir, or the
// PostgreSQL ledger --state names.
func openLedger(ctx context.Context, g *globalOptions, dir string) (*ledger.Store, error) {
	st, err := ledger.OpenURL(ctx, dir, g.State)
	if err != nil && strings.Contains(err.Error(), "--state") {
		return nil, Usage(err)
	}
	return st, err
}

// hasLedger says whether a ledger exists to read: the SQLite file in dir,
// or any PostgreSQL ledger.
func hasLedger(g *globalOptions, dir string) bool {
	if g.State != "" {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, ledger.FileName))
	return err == nil
}

// readLedger runs read on the ledger of dir when there is one (a command
// that only reads it, such as verify or audit verify, must not create one).
func readLedger(ctx context.Context, g *globalOptions, dir string, read func(*ledger.Store) error) error {
	if !hasLedger(g, dir) {
		return nil
	}
	st, err := openLedger(ctx, g, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	return read(st)
}
