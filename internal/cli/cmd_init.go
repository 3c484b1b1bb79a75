package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/scaffold"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/open"
	"github.com/ferry-migrate/ferry/internal/validate"
)

type initOptions struct {
	Source    string
	From      string
	Model     string
	Entity    string
	Name      string
	Namespace string
	Schema    string
	Output    string
	Force     bool
	Sample    int
}

func (o *initOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Source, "source", "", "where rows come from: csv:PATH, xlsx:PATH, sqlite:FILE, postgres:ENV or mysql:ENV (ENV names the variable holding the DSN)")
	fs.StringVar(&o.From, "from", "", "the file (in a csv/xlsx directory) or the table to read")
	fs.StringVar(&o.Model, "model", "", "the target model, e.g. res.partner")
	fs.StringVar(&o.Entity, "entity", "", "the entity's name (default: from the file or table)")
	fs.StringVar(&o.Name, "name", "", "the plan's name (default: the entity's)")
	fs.StringVar(&o.Namespace, "namespace", "", "the module part of the external IDs (default: <name>_migration)")
	fs.StringVar(&o.Schema, "schema", "", "read the model's fields from this schema snapshot (ferry schema snapshot) instead of the target")
	fs.StringVarP(&o.Output, "output", "o", "plan.yaml", "the plan file to write (- for stdout)")
	fs.BoolVar(&o.Force, "force", false, "overwrite the output file if it exists")
	fs.IntVar(&o.Sample, "sample", 1000, "rows read to guess types, formats and the key")
}

func newInitCmd(g *globalOptions) *cobra.Command {
	o := &initOptions{}
	t := &targetOptions{}
	cmd := &cobra.Command{
		Use:   "init --source KIND:PATH|KIND:ENV [--from FILE|TABLE] --model MODEL [-o plan.yaml]",
		Short: "Draft a plan from a source and a target model, with a comment on every guess",
		Long: "init reads a source's columns and a sample of its rows, reads the model's fields from the\n" +
			"target (the usual --url/--db/--login flags or FERRY_ODOO_* variables) or from a schema snapshot\n" +
			"(--schema), and drafts a plan: columns matched to fields by name, synonym and label, checked\n" +
			"against the values (dates and their format, numbers and their locale, booleans, emails),\n" +
			"a key column that is unique and never empty in the sample, an expression per field, masks\n" +
			"for personal data, and a comment on every guess. Unmatched columns and required fields that\n" +
			"nothing maps are listed as comments (TODO). The draft is checked as ferry validate checks it\n" +
			"before it is written.\n\n" +
			"It refuses on purpose to overwrite an existing file (without --force) and to take a literal\n" +
			"secret: a database source names the environment variable that holds its DSN, and the plan\n" +
			"refers to secrets as {env: NAME}.\n\n" +
			"EXIT STATUS: 0 plan written, 1 the source or target could not be read, 2 usage (missing\n" +
			"flag, existing file, literal secret, unknown model).",
		Example: "  ferry init --source csv:exports --from customers.csv --model res.partner\n" +
			"  ferry init --source csv:exports/customers.csv --model res.partner --schema target-schema.json -o customers.yaml\n" +
			"  ferry init --source postgres:LEGACY_DSN --from customers --model res.partner --entity customers",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd.Context(), o, t, g)
		},
	}
	o.AddFlags(cmd.Flags())
	t.AddFlags(cmd.Flags())
	return cmd
}

// initPlan is what runInit gathers before drafting.
type initPlan struct {
	dir, out string
	in       scaffold.Input
}

func runInit(ctx context.Context, o *initOptions, t *targetOptions, g *globalOptions) error {
	ip, err := o.prepare()
	if err != nil {
		return err
	}
	if err := readSample(ctx, ip, o.Sample); err != nil {
		return err
	}
	if err := o.readFields(ctx, ip, t, g); err != nil {
		return err
	}
	res, err := scaffold.Build(ctx, ip.in)
	if err != nil {
		return err
	}
	if ip.out == "-" {
		_, err = g.stdout.Write(res.YAML)
		return err
	}
	if err := writeFileAtomic(ip.out, res.YAML); err != nil {
		return err
	}
	printInit(g, o, ip, res)
	return nil
}

// prepare checks the flags and fills the plan's names, source and output.
func (o *initOptions) prepare() (*initPlan, error) {
	if o.Source == "" || o.Model == "" {
		return nil, Usage(errors.New("--source and --model are required"))
	}
	if o.Sample < 1 {
		return nil, Usage(errors.New("--sample must be at least 1"))
	}
	ip := &initPlan{out: o.Output}
	if o.Output != "-" {
		if _, err := os.Stat(o.Output); err == nil && !o.Force {
			return nil, Usage(fmt.Errorf("%s exists: --force overwrites it", o.Output))
		}
		abs, err := filepath.Abs(o.Output)
		if err != nil {
			return nil, err
		}
		ip.dir = filepath.Dir(abs)
	} else if wd, err := os.Getwd(); err == nil {
		ip.dir = wd
	}
	srcName, spec, sel, origin, err := o.source(ip.dir)
	if err != nil {
		return nil, err
	}
	entity := o.Entity
	if entity == "" {
		entity = identifier(strings.TrimSuffix(filepath.Base(first(sel.File, sel.Table)), filepath.Ext(first(sel.File, sel.Table))))
	}
	if !entityName.MatchString(entity) {
		return nil, Usage(fmt.Errorf("--entity %q: an entity name is lowercase letters, digits and _, starting with a letter", entity))
	}
	name := first(o.Name, entity)
	ns := first(o.Namespace, identifier(name)+"_migration")
	if !entityName.MatchString(ns) {
		return nil, Usage(fmt.Errorf("--namespace %q: lowercase letters, digits and _, starting with a letter", ns))
	}
	ip.in = scaffold.Input{Name: name, Namespace: ns, Entity: entity, Model: o.Model, SourceName: srcName,
		Source: spec, From: sel, Origin: origin}
	return ip, nil
}

var (
	entityName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	envName    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// identifier turns a file or table name into an entity name.
func identifier(s string) string {
	s = scaffold.Normalize(s)
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "rows_" + s
	}
	return strings.TrimSuffix(s, "_")
}

// source reads --source and --from into the plan's source and selection;
// paths become relative to dir, the plan's directory.
func (o *initOptions) source(dir string) (string, source.Spec, source.Select, string, error) {
	kind, arg, _ := strings.Cut(o.Source, ":")
	var spec source.Spec
	var sel source.Select
	fail := func(err error) (string, source.Spec, source.Select, string, error) {
		return "", spec, sel, "", Usage(err)
	}
	if arg == "" {
		return fail(fmt.Errorf("--source %s: write KIND:PATH or KIND:ENV (csv:exports, postgres:LEGACY_DSN)", o.Source))
	}
	spec.Kind = kind
	switch kind {
	case "csv", "xlsx":
		p, file, err := filePath(arg, o.From, dir)
		if err != nil {
			return fail(err)
		}
		spec.Path, sel.File = p, file
		sel.Source = "exports"
		return "exports", spec, sel, filepath.ToSlash(filepath.Join(arg, o.From)), nil
	case "sqlite":
		rel, err := relTo(dir, arg)
		if err != nil {
			return fail(err)
		}
		spec.Path = rel
	case "postgres", "mysql":
		env := strings.TrimPrefix(arg, "env:")
		if !envName.MatchString(env) {
			return fail(fmt.Errorf("--source %s: refusing a literal DSN: name the environment variable that holds it (%s:LEGACY_DSN)", kind, kind))
		}
		spec.DSN = secret.Ref{Env: env}
	case "odoo", "files":
		return fail(fmt.Errorf("--source %s: init drafts plans from csv, xlsx, sqlite, postgres and mysql sources; declare an %s source by hand", kind, kind))
	default:
		return fail(fmt.Errorf("--source %s: unknown kind %q (%s)", o.Source, kind, strings.Join(open.Kinds, ", ")))
	}
	if o.From == "" {
		return fail(fmt.Errorf("--from TABLE is required for a %s source", kind))
	}
	sel.Source, sel.Table = "legacy", o.From
	return "legacy", spec, sel, "table " + o.From, nil
}

// filePath splits a csv/xlsx argument into the source's path (relative
// to the plan's directory) and the file: --from names a file in the
// directory arg, else arg is the file itself.
func filePath(arg, from, dir string) (string, string, error) {
	if strings.HasPrefix(arg, "sftp://") {
		return "", "", errors.New("init reads local files; for an sftp:// source declare its ssh: block by hand")
	}
	if from == "" {
		info, err := os.Stat(arg)
		if err == nil && info.IsDir() {
			return "", "", fmt.Errorf("%s is a directory: name the file in it with --from", arg)
		}
		arg, from = filepath.Dir(arg), filepath.Base(arg)
	}
	rel, err := relTo(dir, arg)
	return rel, filepath.ToSlash(from), err
}

func relTo(dir, p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		return filepath.ToSlash(abs), nil
	}
	return filepath.ToSlash(rel), nil
}

// errSampled stops the scan once the sample is full.
var errSampled = errors.New("sample full")

// readSample reads the source's columns and its first n rows.
func readSample(ctx context.Context, ip *initPlan, n int) error {
	in := &ip.in
	src, err := open.Open(ctx, in.SourceName, in.Source, in.From, ip.dir)
	if err != nil {
		return err
	}
	defer src.Close()
	schema, err := src.Schema(ctx)
	if err != nil {
		return err
	}
	in.Columns = schema.Columns
	err = src.Scan(ctx, record.Position{}, func(r *record.Record) error {
		in.Rows = append(in.Rows, r.Values)
		if len(in.Rows) >= n {
			return errSampled
		}
		return nil
	})
	if err != nil && !errors.Is(err, errSampled) {
		return err
	}
	return nil
}

// readFields reads the model's fields from --schema or the target, and
// fills the plan's target block (secrets by reference only).
func (o *initOptions) readFields(ctx context.Context, ip *initPlan, t *targetOptions, g *globalOptions) error {
	in := &ip.in
	cfg, err := t.config(nil)
	if err != nil {
		return err
	}
	if u, err := url.Parse(cfg.URL); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return Usage(errors.New("refusing a password in the target URL: give it in FERRY_ODOO_PASSWORD or FERRY_ODOO_API_KEY"))
		}
	}
	in.Target = scaffold.Target{URL: cfg.URL, Database: cfg.Database, Login: cfg.Login, SecretKey: "api_key", SecretEnv: "FERRY_ODOO_API_KEY"}
	if cfg.APIKey.IsZero() && !cfg.Password.IsZero() {
		in.Target.SecretKey, in.Target.SecretEnv = "password", "FERRY_ODOO_PASSWORD"
	}
	var schema validate.Schema
	if o.Schema != "" {
		if schema, _, err = validate.LoadSchema(o.Schema); err != nil {
			return Usage(err)
		}
		if in.Target.Schema, err = relTo(ip.dir, o.Schema); err != nil {
			return err
		}
		in.SchemaOrigin = "schema snapshot " + filepath.ToSlash(o.Schema)
	} else {
		c, snap, err := dialSchema(ctx, t, g, []string{o.Model})
		if err != nil {
			return err
		}
		if schema, err = snapshotSchema(snap); err != nil {
			return err
		}
		in.SchemaOrigin = fmt.Sprintf("%s, database %s, Odoo %s", secret.RedactURL(cfg.URL), c.Database(), c.Version().Full)
	}
	fields, ok := schema[o.Model]
	if !ok {
		return Usage(fmt.Errorf("model %s is not in %s", o.Model, first(o.Schema, "the target")))
	}
	in.Fields = fields
	return nil
}

// snapshotSchema reads fields_get answers as a schema snapshot would.
func snapshotSchema(snap *schemaSnapshot) (validate.Schema, error) {
	b, err := json.Marshal(snap)
	if err != nil {
		return nil, err
	}
	s, _, err := validate.ParseSchema(b, "fields_get")
	return s, err
}

func printInit(g *globalOptions, o *initOptions, ip *initPlan, res *scaffold.Result) {
	fmt.Fprintf(g.stdout, "wrote %s: %d of %d columns matched to %s fields, key %q", ip.out, len(res.Matches), len(res.Profiles), o.Model, res.Key)
	if !res.KeyUnique {
		fmt.Fprint(g.stdout, " (TODO: not unique in the sample)")
	}
	fmt.Fprintf(g.stdout, "; %d unmatched column(s), %d required field(s) without a column\n", len(res.Unmatched), len(res.Required))
	fmt.Fprintf(g.stdout, "review every comment, then: ferry validate %s\n", ip.out)
}
