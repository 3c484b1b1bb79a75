package sandbox

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
)

// Manager configures the sandbox's database manager (/web/database/*),
// answered like Odoo 18's: the manager page, and POST
// /web/database/backup returning a zip (dump.sql, manifest.json,
// filestore/) or the manager page with the error. The zero value serves
// no manager (404, as behind a proxy that blocks it).
type Manager struct {
	// Serve turns the manager on.
	Serve bool
	// ListDB is Odoo's list_db: off, the page says the manager is disabled
	// and every backup is refused with "Access Denied".
	ListDB bool
	// MasterPassword is admin_passwd; empty is Odoo's unprotected default,
	// where a posted master password becomes the new one (as Odoo's backup
	// route does through change_admin_password).
	MasterPassword string
	// Filestore holds the filestore's files by path ("3a/3a5f…").
	Filestore map[string][]byte
}

func (s *Server) serveManagerPage(w http.ResponseWriter, r *http.Request) {
	if !s.opts.Manager.Serve {
		notFoundPage(w, r)
		return
	}
	s.managerPage(w, "")
}

// managerPage renders the parts of Odoo's manager page that clients read:
// the database list, the disabled alert, the unprotected warning and an
// error alert.
func (s *Server) managerPage(w http.ResponseWriter, errText string) {
	s.mu.Lock()
	m := s.opts.Manager
	s.mu.Unlock()
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><title>Odoo</title></head><body><div class=\"container\"><div class=\"row\">\n")
	b.WriteString("<div class=\"col-lg-6 offset-lg-3 o_database_list\">\n")
	if !m.ListDB {
		b.WriteString("<div class=\"alert alert-danger text-center\">The database manager has been disabled by the administrator</div>\n")
	} else if m.MasterPassword == "" {
		b.WriteString("<div class=\"alert alert-warning\">\n    Warning, your Odoo database manager is not protected.<br/>\n    Please <a href=\"#\" data-bs-toggle=\"modal\" data-bs-target=\".o_database_master\">set a master password</a> to secure it.\n</div>\n")
	}
	if errText != "" {
		fmt.Fprintf(&b, "<div class=\"alert alert-danger\">%s</div>\n", html.EscapeString(errText))
	}
	if m.ListDB {
		fmt.Fprintf(&b, "<div class=\"list-group\"><div class=\"list-group-item\">%s</div></div>\n", html.EscapeString(s.opts.Database))
	}
	b.WriteString("</div></div></div></body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

func (s *Server) serveManagerBackup(w http.ResponseWriter, r *http.Request) {
	if !s.opts.Manager.Serve || r.Method != http.MethodPost {
		notFoundPage(w, r)
		return
	}
	pwd, name := r.PostFormValue("master_pwd"), r.PostFormValue("name")
	if f := r.PostFormValue("backup_format"); f != "" && f != "zip" {
		s.managerPage(w, "Database backup error: the sandbox dumps only the zip format")
		return
	}
	s.mu.Lock()
	m := &s.opts.Manager
	if m.MasterPassword == "" && pwd != "" { // Odoo: insecure and master_pwd → change_admin_password
		m.MasterPassword = pwd
	}
	denied := !m.ListDB || pwd == "" || pwd != m.MasterPassword
	s.mu.Unlock()
	switch {
	case denied:
		s.managerPage(w, "Database backup error: Access Denied")
		return
	case name != s.opts.Database:
		s.managerPage(w, fmt.Sprintf("Database backup error: Database %q is not known", name))
		return
	}
	ts := time.Now().UTC().Format("2006-01-02_15-04-05")
	w.Header().Set("Content-Type", "application/octet-stream; charset=binary")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename*=UTF-8''%s_%s.zip", name, ts))
	_ = s.writeDumpZip(w)
}

// dumpModels are the tables the sandbox's dump.sql holds.
var dumpModels = []string{"res.company", "res.partner", "res.users", "product.category", "product.product", "account.move"}

// writeDumpZip writes Odoo's backup zip: dump.sql first (a plain SQL
// dump, one table per model with the records' ids and display names),
// then manifest.json and the filestore.
func (s *Server) writeDumpZip(w http.ResponseWriter) error {
	z := zip.NewWriter(w)
	f, err := z.Create("dump.sql")
	if err != nil {
		return err
	}
	tables := map[string]int{}
	for _, model := range dumpModels {
		n, err := s.dumpTable(f, model)
		if err != nil {
			return err
		}
		tables[strings.ReplaceAll(model, ".", "_")] = n
	}
	mf, err := z.Create("manifest.json")
	if err != nil {
		return err
	}
	manifest := map[string]any{"odoo_dump": "1", "db_name": s.opts.Database, "version": fmt.Sprintf("%d.0", s.opts.Version),
		"major_version": fmt.Sprintf("%d.0", s.opts.Version), "pg_version": "16.0", "modules": map[string]string{"base": fmt.Sprintf("%d.0.1.3", s.opts.Version)}}
	if err := json.NewEncoder(mf).Encode(manifest); err != nil {
		return err
	}
	paths := make([]string, 0, len(s.opts.Manager.Filestore))
	for p := range s.opts.Manager.Filestore {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		ff, err := z.Create("filestore/" + p)
		if err != nil {
			return err
		}
		if _, err := ff.Write(s.opts.Manager.Filestore[p]); err != nil {
			return err
		}
	}
	return z.Close()
}

func (s *Server) dumpTable(w interface{ Write([]byte) (int, error) }, model string) (int, error) {
	res, err := s.db.Execute(orm.Call{UID: 2, Model: model, Method: "search_read", Args: []any{[]any{}},
		Kwargs: map[string]any{"fields": []any{"display_name"}, "context": map[string]any{"active_test": false}}})
	if err != nil {
		return 0, nil // a model the schema lacks: no table
	}
	recs, _ := res.([]map[string]any)
	table := "public." + strings.ReplaceAll(model, ".", "_")
	fmt.Fprintf(w, "\nCREATE TABLE %s (\n    id integer NOT NULL,\n    display_name text\n);\n\nCOPY %s (id, display_name) FROM stdin;\n", table, table)
	for _, r := range recs {
		name, _ := r["display_name"].(string)
		fmt.Fprintf(w, "%v\t%s\n", r["id"], copyEscape(name))
	}
	_, err = fmt.Fprint(w, "\\.\n\n")
	return len(recs), err
}

// copyEscape escapes a value for COPY's text format.
func copyEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(s)
}
