package odoo

import (
	"bytes"
	"context"
	"html"
	"regexp"
	"strings"
)

// Manager is the state of Odoo's database manager (/web/database/*) as
// its page shows it. The page is rendered by Odoo from
// web/static/src/public/database_manager.qweb.html: a "disabled" alert
// when list_db is off, a "not protected" warning when no master password
// is set (posting one there sets it), else the databases behind the
// master password.
type Manager int

// Database manager states.
const (
	ManagerAbsent      Manager = iota // no manager page (blocked, or not Odoo's)
	ManagerDisabled                   // list_db = False
	ManagerUnprotected                // no master password: a post would set one
	ManagerProtected                  // reachable, behind the master password
)

// ReadManagerPage classifies the answer to GET /web/database/manager.
func ReadManagerPage(status int, body []byte) Manager {
	switch {
	case status != 200:
		return ManagerAbsent
	case bytes.Contains(body, []byte("has been disabled by the administrator")):
		return ManagerDisabled
	case bytes.Contains(body, []byte("database manager is not protected")):
		return ManagerUnprotected
	case bytes.Contains(body, []byte("o_database_list")):
		return ManagerProtected
	}
	return ManagerAbsent
}

// ManagerState reads the database manager page of the client's server.
func (c *Client) ManagerState(ctx context.Context) (Manager, error) {
	status, body, err := c.Page(ctx, "/web/database/manager")
	if err != nil {
		return ManagerAbsent, err
	}
	return ReadManagerPage(status, body), nil
}

var alertRE = regexp.MustCompile(`(?s)<div class="alert alert-danger[^"]*"[^>]*>(.*?)</div>`)

// ManagerError extracts the error an HTML page of the database manager
// shows ("Database backup error: Access Denied"), or "".
func ManagerError(body []byte) string {
	m := alertRE.FindSubmatch(body)
	if m == nil {
		return ""
	}
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAll(m[1], nil)
	return strings.Join(strings.Fields(html.UnescapeString(string(text))), " ")
}
