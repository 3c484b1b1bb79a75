package security

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/open"
	"github.com/ferry-migrate/ferry/internal/source/sqldb"
)

// AuditSources checks every source of p: for databases the session's
// encryption and whether Ferry logs in as a superuser; for files (and
// SQLite databases) whether others may read them.
func AuditSources(ctx context.Context, p *plan.Plan) []Finding {
	names := make([]string, 0, len(p.Sources))
	for n := range p.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []Finding
	for _, n := range names {
		spec := p.Sources[n]
		switch spec.Kind {
		case "postgres", "mysql":
			out = append(out, auditDatabase(ctx, n, spec, p.Dir)...)
		case "odoo":
			out = append(out, auditOdooSource(ctx, n, spec, p.Dir)...)
		case "csv", "xlsx", "sqlite", "files":
			if strings.HasPrefix(spec.Path, "sftp://") {
				out = append(out, notChecked("SEC203", "source "+n+": export files readable only by their owner",
					"a shell on the SFTP server", "the files are on an SFTP server: check their permissions there"))
				continue
			}
			files := sourceFiles(p, n, spec)
			if spec.Kind == "files" { // a directory of attachments: every file in it
				files = expand(resolve(p.Dir, spec.Path))
			}
			out = append(out, auditFiles(n, files))
		}
	}
	return out
}

func auditDatabase(ctx context.Context, name string, spec source.Spec, dir string) []Finding {
	enc, super := "source "+name+": connection encrypted", "source "+name+": not a superuser"
	dsn, err := spec.DSN.Resolve()
	if err != nil {
		return []Finding{notChecked("SEC201", enc, "the DSN", err.Error()), notChecked("SEC202", super, "the DSN", err.Error())}
	}
	var opts sqldb.Options
	tun, err := open.Tunnel(ctx, name, spec, dir) // the database as the bastion reaches it
	if err != nil {
		return []Finding{notChecked("SEC201", enc, "the SSH tunnel", err.Error()), notChecked("SEC202", super, "the SSH tunnel", err.Error())}
	}
	if tun != nil {
		defer tun.Close()
		opts.Tunnel = tun
	}
	pos, err := sqldb.InspectWith(ctx, name, spec.Kind, dsn, opts)
	if err != nil {
		return []Finding{notChecked("SEC201", enc, "a connection", err.Error()), notChecked("SEC202", super, "a connection", err.Error())}
	}
	return []Finding{encryption(enc, pos), superuser(super, spec.Kind, pos)}
}

func encryption(check string, pos sqldb.Posture) Finding {
	const id = "SEC201"
	switch {
	case pos.Encrypted:
		return pass(id, check, "the session runs over TLS")
	case pos.Warning != "":
		return fail(id, check, High, pos.Warning, "require TLS in the DSN (sslmode=verify-full for PostgreSQL, tls=true for MySQL/MariaDB)")
	}
	return pass(id, check, "not encrypted, on loopback: nothing crosses the network")
}

func superuser(check, kind string, pos sqldb.Posture) Finding {
	const id = "SEC202"
	ev := fmt.Sprintf("Ferry logs in as %s", pos.User)
	if !pos.Superuser {
		return pass(id, check, ev+", without superuser rights")
	}
	fix := "create a read-only user for the migration: CREATE ROLE ferry LOGIN; GRANT SELECT ON the tables it reads"
	if kind == "mysql" {
		fix = "create a read-only user for the migration: CREATE USER ferry …; GRANT SELECT ON db.* TO ferry"
	}
	return fail(id, check, High, ev+", a superuser: a mistake or a leaked DSN can change or destroy the source", fix)
}

// auditOdooSource checks an older Odoo read as a source: the transport,
// and that Ferry does not read it as an administrator.
func auditOdooSource(ctx context.Context, name string, spec source.Spec, dir string) []Finding {
	enc, admin := "source "+name+": connection encrypted", "source "+name+": not an administrator"
	cfg, err := open.OdooConfig(name, spec, dir)
	if err != nil {
		return []Finding{notChecked("SEC201", enc, "the source's settings", err.Error()), notChecked("SEC202", admin, "the source's settings", err.Error())}
	}
	out := []Finding{odooTransport(enc, cfg)}
	c, err := odoo.Dial(ctx, cfg)
	if err != nil {
		return append(out, notChecked("SEC202", admin, "a connection", err.Error()))
	}
	a := &targetAudit{Target: Target{Client: c}}
	if a.groupsField, a.groupsErr = a.usersGroupsField(ctx); a.groupsErr != nil {
		return append(out, unreadable("SEC202", admin, "read access to res.users", a.groupsErr))
	}
	isAdmin, err := a.isSettingsAdmin(ctx)
	switch {
	case err != nil:
		return append(out, unreadable("SEC202", admin, "read access to res.users and res.groups", err))
	case isAdmin:
		return append(out, fail("SEC202", admin, High, "Ferry logs in to the old Odoo as "+c.Login()+", who has Settings rights: a mistake or a leaked key can change or destroy the source",
			"give the migration its own user with read rights on the migrated models only"))
	}
	return append(out, pass("SEC202", admin, "Ferry logs in as "+c.Login()+", without Settings rights"))
}

func odooTransport(check string, cfg odoo.Config) Finding {
	u, err := url.Parse(cfg.URL)
	switch {
	case err != nil:
		return notChecked("SEC201", check, "a parsable url:", err.Error())
	case cfg.Insecure:
		return fail("SEC201", check, High, "insecure: true — plain HTTP or an unverified certificate to "+u.Host,
			"serve the old Odoo over HTTPS with a certificate the client trusts (or give ca_file:) and drop insecure:")
	case u.Scheme == "https":
		return pass("SEC201", check, "HTTPS with a verified certificate")
	}
	return pass("SEC201", check, "plain HTTP on loopback ("+u.Host+"): nothing leaves the machine")
}

// sourceFiles lists the files of source name that the plan's entities and
// lines read (directories and globs expanded).
func sourceFiles(p *plan.Plan, name string, spec source.Spec) []string {
	var sels []source.Select
	for _, e := range p.Entities {
		sels = append(sels, e.From)
		for _, l := range e.Lines {
			sels = append(sels, l.From)
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range sels {
		if s.Source != name {
			continue
		}
		for _, f := range expand(resolve(p.Dir, filepath.Join(spec.Path, s.File))) {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

func resolve(dir, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

func expand(path string) []string {
	matches, _ := filepath.Glob(path)
	var out []string
	for _, m := range matches {
		_ = filepath.WalkDir(m, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

func auditFiles(name string, files []string) Finding {
	const id = "SEC203"
	check := "source " + name + ": export files readable only by their owner"
	if len(files) == 0 {
		return notChecked(id, check, "the source's files", "no file found")
	}
	var open []string
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return notChecked(id, check, "the source's files", err.Error())
		}
		if st.Mode().Perm()&0o004 != 0 {
			open = append(open, fmt.Sprintf("%s (%v)", f, st.Mode().Perm()))
		}
	}
	if len(open) == 0 {
		return pass(id, check, fmt.Sprintf("%d file(s), none readable by every user of the machine", len(files)))
	}
	return fail(id, check, Medium, fmt.Sprintf("%d of %d file(s) readable by every user of the machine: %s", len(open), len(files), listed(open)),
		"chmod o-r the export files (and keep them in a directory only the migration's users can enter)")
}
