package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"filippo.io/age"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// ManagerSource is the opt-in path through Odoo's own database manager
// (POST /web/database/backup, format zip: dump.sql, manifest.json and
// filestore/). It works only where list_db is on. Ferry reads
// /web/database/manager first: a disabled manager is reported as such,
// and a server whose page says no master password is set is refused —
// posting a master password there would set it (Odoo's backup route
// calls change_admin_password when the manager is unprotected).
type ManagerSource struct {
	URL            string // Odoo's base URL: https, or http on loopback
	Database       string
	MasterPassword secret.String
	// HTTP is the client to use (nil: a default client that verifies TLS).
	HTTP *http.Client
}

// ErrManager says the database manager cannot be used for a backup.
var ErrManager = errors.New("backup: Odoo's database manager")

// refused is a manager Ferry will not or cannot use as it is configured
// (disabled, unprotected, not https, the wrong master password): a
// configuration error, exit 2, where a failed connection is exit 1.
type refused struct{ error }

func (refused) ExitCode() int   { return 2 }
func (e refused) Unwrap() error { return e.error }

func refusedf(format string, args ...any) error { return refused{fmt.Errorf(format, args...)} }

func (m ManagerSource) base() (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(m.URL, "/"))
	if err != nil || u.Host == "" {
		return nil, refusedf("%w: %q is not a URL", ErrManager, secret.RedactURL(m.URL))
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname())) {
		return nil, refusedf("%w: %s: the master password is only sent over https (or http on loopback)", ErrManager, u.Redacted())
	}
	return u, nil
}

func loopbackHost(h string) bool {
	ip := net.ParseIP(h)
	return h == "localhost" || (ip != nil && ip.IsLoopback())
}

func (m ManagerSource) client() *http.Client {
	if m.HTTP != nil {
		return m.HTTP
	}
	return &http.Client{}
}

// check reads the manager page and refuses what must not be posted to.
func (m ManagerSource) check(ctx context.Context, base *url.URL) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+"/web/database/manager", nil)
	if err != nil {
		return err
	}
	resp, err := m.client().Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrManager, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%w: read the manager page: %v", ErrManager, err)
	}
	switch odoo.ReadManagerPage(resp.StatusCode, body) {
	case odoo.ManagerDisabled:
		return refusedf("%w is disabled on %s (list_db = False): back up through PostgreSQL instead (--dsn-env)", ErrManager, base.Host)
	case odoo.ManagerUnprotected:
		return refusedf("%w on %s has no master password: Ferry does not post one (Odoo would set it); set admin_passwd in Odoo's configuration first, or back up through PostgreSQL (--dsn-env)", ErrManager, base.Host)
	case odoo.ManagerAbsent:
		return refusedf("%w is not reachable on %s (GET /web/database/manager answers HTTP %d): back up through PostgreSQL (--dsn-env)", ErrManager, base.Host, resp.StatusCode)
	}
	return nil
}

// open posts the backup request and returns the zip stream.
func (m ManagerSource) open(ctx context.Context) (io.ReadCloser, error) {
	base, err := m.base()
	if err != nil {
		return nil, err
	}
	if err := m.check(ctx, base); err != nil {
		return nil, err
	}
	form := url.Values{"master_pwd": {m.MasterPassword.Reveal()}, "name": {m.Database}, "backup_format": {"zip"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String()+"/web/database/backup", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := m.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrManager, err) // the form is not in the error
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != 200 || ct != "application/octet-stream" {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		why := odoo.ManagerError(body)
		if why == "" {
			why = fmt.Sprintf("HTTP %d, %s instead of a zip", resp.StatusCode, ct)
		}
		return nil, refusedf("%w refused the backup of %s: %s", ErrManager, m.Database, why)
	}
	return resp.Body, nil
}

// managerPart streams the manager's zip into every store.
func managerPart(ctx context.Context, src ManagerSource, stores []dest.Store, m *Manifest, rcpts []age.Recipient) error {
	body, err := src.open(ctx)
	if err != nil {
		return err
	}
	defer body.Close()
	part, err := writePart(ctx, stores, m.ID, ManagerPart, body, rcpts)
	if err != nil {
		return err
	}
	part.Kind = KindManagerZip
	m.Parts = append(m.Parts, part)
	m.Database, m.Tool = src.Database, "Odoo database manager (zip: dump.sql, manifest.json, filestore/)"
	return nil
}
