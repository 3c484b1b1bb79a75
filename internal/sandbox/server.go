package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
)

// User is an account of the sandbox: an internal user (base.group_user)
// with an API key record (res.users.apikeys, named "sandbox") when APIKey
// is set.
type User struct {
	Login    string
	Password string
	APIKey   string
	TZ       string
	// Restricted makes the user an internal user without administration
	// rights, like one in base.group_user, account.group_account_invoice
	// and stock.group_stock_user on a real Odoo: reading, searching or
	// writing ir.cron, ir.mail_server, ir.config_parameter (Settings) or
	// ir.model.data (Access Rights) fails with Odoo's AccessError, and
	// res.users.apikeys shows only the user's own keys. get_external_id,
	// check_object_reference and fields_get stay allowed. A user who is
	// not restricted passes every access check, as the admin does.
	Restricted bool
	uid        int64
}

// Options configure a sandbox.
type Options struct {
	// Version is the Odoo major version to answer as: 18 (default) or 19.
	Version int
	// Database is the database name clients must name (default "sandbox").
	Database string
	// Schema is a fields_get snapshot (the JSON of `ferry schema snapshot`);
	// nil uses the recorded schema of Version.
	Schema []byte
	// Users are added to the built-in admin (login admin, password admin,
	// and AdminKey as API key; in base.group_user, base.group_erp_manager
	// and base.group_system like a fresh database's admin).
	Users []User
	// AdminKey is the admin's API key; empty generates one (see
	// Server.AdminKey).
	AdminKey string
	// Faults are injected into calls (see Faults).
	Faults Faults
	// Manager serves Odoo's database manager (see Manager).
	Manager Manager
}

// Server is a running sandbox.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:40123.
	URL string

	opts   Options
	db     *orm.DB
	mu     sync.Mutex
	users  map[string]*User // by login
	byUID  map[int64]*User
	faults *injector
	ln     net.Listener
	srv    *http.Server
}

// Open builds a sandbox without listening (see Handler and Serve).
func Open(opts Options) (*Server, error) {
	if opts.Version == 0 {
		opts.Version = 18
	}
	if opts.Version != 18 && opts.Version != 19 {
		return nil, fmt.Errorf("the sandbox answers as Odoo 18 or 19, not %d", opts.Version)
	}
	if opts.Database == "" {
		opts.Database = "sandbox"
	}
	db, err := orm.Open(opts.Version, opts.Schema)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, db: db, users: map[string]*User{}, byUID: map[int64]*User{}, faults: newInjector(opts.Faults)}
	if opts.AdminKey == "" {
		opts.AdminKey = randomKey()
		s.opts.AdminKey = opts.AdminKey
	}
	s.addUser(&User{Login: "admin", Password: "admin", APIKey: opts.AdminKey, uid: 2})
	db.AddAPIKey(2)
	for _, u := range opts.Users {
		if err := s.AddUser(u); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// New starts a sandbox on a free loopback port. Close stops it.
func New(opts Options) (*Server, error) {
	s, err := Open(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.start(ln)
	go func() { _ = s.serve() }()
	return s, nil
}

// Serve answers requests on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	s.start(ln)
	return s.serve()
}

func (s *Server) start(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln = ln
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.Handler()}
}

func (s *Server) serve() error {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.mu.Unlock()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the server.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// DB is the sandbox's ORM, for tests that inspect or seed it directly.
func (s *Server) DB() *orm.DB { return s.db }

// Database is the database name clients must use.
func (s *Server) Database() string { return s.opts.Database }

// Version is the Odoo major version the sandbox answers as.
func (s *Server) Version() int { return s.opts.Version }

// AdminKey is the admin user's API key.
func (s *Server) AdminKey() string { return s.opts.AdminKey }

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f Faults) {
	s.faults.set(f)
	s.db.SetFaults(f.ORM())
}

// AddUser adds an account (a res.users record in the ORM too).
func (s *Server) AddUser(u User) error {
	uid, err := s.db.AddUser(orm.NewUser{Login: u.Login, Password: u.Password, APIKey: u.APIKey, TZ: u.TZ, Restricted: u.Restricted})
	if err != nil {
		return err
	}
	u.uid = uid
	s.addUser(&u)
	return nil
}

func (s *Server) addUser(u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.Login] = u
	s.byUID[u.uid] = u
}

// login checks a login with a password or API key (Odoo accepts both over
// XML-RPC and JSON-RPC).
func (s *Server) login(login, secret string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[login]
	if u == nil || secret == "" || (secret != u.Password && secret != u.APIKey) {
		return 0
	}
	return u.uid
}

// check verifies the uid and secret of an object call.
func (s *Server) check(uid int64, secret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.byUID[uid]
	return u != nil && secret != "" && (secret == u.Password || secret == u.APIKey)
}

// bearer returns the uid whose API key is key (JSON-2 refuses passwords).
func (s *Server) bearer(key string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if key != "" && key == u.APIKey {
			return u.uid
		}
	}
	return 0
}

func randomKey() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Handler routes Odoo's external API paths.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/jsonrpc", s.serveJSONRPC)
	mux.HandleFunc("/web/webclient/version_info", s.serveVersionInfo)
	mux.HandleFunc("/xmlrpc/2/", s.serveXMLRPC)
	mux.HandleFunc("/web/version", s.serveWebVersion)
	mux.HandleFunc("/json/2/", s.serveJSON2)
	mux.HandleFunc("/json/2", s.serveJSON2)
	mux.HandleFunc("/web/database/manager", s.serveManagerPage)
	mux.HandleFunc("/web/database/backup", s.serveManagerBackup)
	mux.HandleFunc("/", notFoundPage)
	return s.faults.wrap(mux)
}

func (s *Server) versionInfo() map[string]any {
	v := fmt.Sprintf("%d.0", s.opts.Version)
	return map[string]any{"server_version": v, "server_version_info": []any{int64(s.opts.Version), int64(0), int64(0), "final", int64(0), ""},
		"server_serie": v, "protocol_version": int64(1)}
}

func (s *Server) serveWebVersion(w http.ResponseWriter, r *http.Request) {
	if s.opts.Version < 19 {
		notFoundPage(w, r)
		return
	}
	writeJSON(w, http.StatusOK, ordered{{"version_info", []any{int64(19), int64(0), int64(0), "final", int64(0), ""}}, {"version", "19.0"}})
}

// notFoundPage is Odoo's HTML 404 page.
func notFoundPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n"))
}

func isJSONContent(r *http.Request) bool {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	return strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "application/json-rpc")
}
