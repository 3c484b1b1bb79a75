package security

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// LatestOdoo is the newest Odoo major version this release knows. Odoo
// supports the three latest majors, so LatestOdoo-2 and newer are
// supported.
const LatestOdoo = 19

// Target is an Odoo database to audit, reached with Client.
type Target struct {
	Client *odoo.Client
	// Test says the database is a test copy (the plan's target.environment
	// is test): it must not send mail nor run scheduled actions.
	Test bool
	// DefaultAdmin tries one login as admin with the password admin and
	// reports whether it worked. Nil skips the check (reported as not
	// checked).
	DefaultAdmin func(ctx context.Context) (bool, error)
	// Now is the time certificates are judged at (zero: time.Now()).
	Now time.Time
}

// rights Odoo names in its access errors for what the checks read.
const (
	needSettings = "Administration/Settings (base.group_system)"
)

// AuditTarget runs every target check, in a fixed order.
func AuditTarget(ctx context.Context, t Target) []Finding {
	if t.Now.IsZero() {
		t.Now = time.Now()
	}
	a := &targetAudit{Target: t}
	a.groupsField, a.groupsErr = a.usersGroupsField(ctx)
	a.admin, a.adminErr = a.isSettingsAdmin(ctx)
	checks := []func(context.Context) Finding{a.version, a.transport, a.databaseManager, a.defaultPassword,
		a.administrators, a.twoFactor, a.apiKeys, a.demoData}
	if t.Test {
		checks = append(checks, a.neutralized, a.mailServers, a.crons)
	}
	out := make([]Finding, 0, len(checks))
	for _, c := range checks {
		out = append(out, c(ctx))
	}
	return out
}

type targetAudit struct {
	Target
	groupsField string // res.users field holding every group of a user
	groupsErr   error
	admin       bool // the audit's user has Settings rights
	adminErr    error
}

func (a *targetAudit) version(context.Context) Finding { return judgeVersion(a.Client.Version()) }

func judgeVersion(v odoo.Version) Finding {
	const id, check = "SEC101", "Odoo version still supported"
	ev := fmt.Sprintf("server %s (major %d); supported majors are %d to %d", v.Full, v.Major, LatestOdoo-2, LatestOdoo)
	if v.Major < LatestOdoo-2 {
		return fail(id, check, High, ev, "upgrade to a supported major: Odoo no longer ships security fixes for this one")
	}
	return pass(id, check, ev)
}

func (a *targetAudit) transport(ctx context.Context) Finding {
	const id, check = "SEC102", "HTTPS and certificate"
	u, err := url.Parse(a.Client.URLString())
	if err != nil {
		return notChecked(id, check, "a parsable URL", err.Error())
	}
	if u.Scheme != "https" {
		if isLoopback(u.Hostname()) {
			return pass(id, check, "plain HTTP on loopback ("+u.Host+"): nothing leaves the machine")
		}
		return fail(id, check, Critical, "plain HTTP to "+u.Host+": passwords and API keys cross the network in clear",
			"serve Odoo behind HTTPS (a reverse proxy with a valid certificate) and use https:// in the target URL")
	}
	if a.Client.Insecure() {
		return fail(id, check, High, "the certificate of "+u.Host+" is not verified (--insecure / insecure: true)",
			"install a certificate the client trusts (or give --ca-file) and drop --insecure")
	}
	return a.certificate(ctx, u)
}

func (a *targetAudit) certificate(ctx context.Context, u *url.URL) Finding {
	const id, check = "SEC102", "HTTPS and certificate"
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	d := tls.Dialer{Config: &tls.Config{ServerName: u.Hostname(), InsecureSkipVerify: true}} // verified by the client already; read the dates
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return notChecked(id, check, "a TLS connection to "+host, err.Error())
	}
	defer conn.Close()
	cert := conn.(*tls.Conn).ConnectionState().PeerCertificates[0]
	return judgeCertificate(u.Hostname(), cert.NotAfter, a.Now)
}

func judgeCertificate(host string, notAfter, now time.Time) Finding {
	const id, check = "SEC102", "HTTPS and certificate"
	left := notAfter.Sub(now)
	ev := fmt.Sprintf("certificate for %s valid until %s (%d days left), verified by the client", host, notAfter.UTC().Format(time.DateOnly), int(left.Hours()/24))
	switch {
	case left <= 0:
		return fail(id, check, Critical, ev, "renew the certificate now")
	case left < 14*24*time.Hour:
		return fail(id, check, High, ev, "renew the certificate before the migration window")
	case left < 30*24*time.Hour:
		return fail(id, check, Medium, ev, "renew the certificate (or check that automatic renewal works)")
	}
	return pass(id, check, ev)
}

// databaseManager reads /web/database/manager, never posting to it.
func (a *targetAudit) databaseManager(ctx context.Context) Finding {
	const id, check = "SEC103", "database manager reachable"
	status, body, err := a.Client.Page(ctx, "/web/database/manager")
	if err != nil {
		return notChecked(id, check, "an answer from /web/database/manager", err.Error())
	}
	return judgeManager(status, body)
}

// judgeManager reads the manager page the way Odoo renders it
// (web/static/src/public/database_manager.qweb.html): a "disabled" alert
// when list_db is off, a "not protected" warning when no master password
// is set, else the database list behind the master password.
func judgeManager(status int, body []byte) Finding {
	const id, check = "SEC103", "database manager reachable"
	switch odoo.ReadManagerPage(status, body) {
	case odoo.ManagerDisabled:
		return pass(id, check, "the database manager page says it is disabled (list_db = False)")
	case odoo.ManagerUnprotected:
		return fail(id, check, Critical, "the database manager is reachable and has no master password: anyone who reaches it can set one, then back up, duplicate or drop every database",
			"set admin_passwd (a long random master password) and list_db = False in Odoo's configuration; block /web/database/* at the proxy")
	case odoo.ManagerProtected:
		return fail(id, check, Medium, "the database manager is reachable: only the master password protects backups, duplication and deletion of every database",
			"set list_db = False in Odoo's configuration and block /web/database/* at the proxy")
	}
	return pass(id, check, fmt.Sprintf("GET /web/database/manager answers HTTP %d without the manager", status))
}

func (a *targetAudit) defaultPassword(ctx context.Context) Finding {
	const id, check = "SEC104", "admin's default password"
	if a.DefaultAdmin == nil {
		return notChecked(id, check, "permission to try one login", "the check was not asked for")
	}
	ok, err := a.DefaultAdmin(ctx)
	switch {
	case err != nil:
		return notChecked(id, check, "an answer to one login attempt", err.Error())
	case ok:
		return fail(id, check, Critical, "login admin with password admin works (one attempt)",
			"change the admin user's password (and the login) before the migration; give migration staff their own users")
	}
	return pass(id, check, "login admin with password admin is refused (one attempt)")
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
