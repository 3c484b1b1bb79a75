package odoo

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// Transport names one of Odoo's external API transports.
type Transport string

// Transports. Auto picks JSON-2 on 19+ with an API key, else JSON-RPC.
const (
	Auto    Transport = ""
	JSON2   Transport = "json2"
	JSONRPC Transport = "jsonrpc"
	XMLRPC  Transport = "xmlrpc"
)

// ParseTransport reads a --transport value.
func ParseTransport(s string) (Transport, error) {
	switch t := Transport(strings.ToLower(s)); t {
	case Auto, JSON2, JSONRPC, XMLRPC:
		return t, nil
	case "auto":
		return Auto, nil
	}
	return Auto, fmt.Errorf("unknown transport %q (want json2, jsonrpc, xmlrpc or auto)", s)
}

// Config says how to reach and authenticate to one Odoo database.
type Config struct {
	URL      string
	Database string
	Login    string
	Password secret.String
	APIKey   secret.String
	// Transport forces a transport; Auto detects.
	Transport Transport
	// Insecure allows plain HTTP or unverified TLS to a host outside
	// loopback. Every Dial then reports a warning.
	Insecure bool
	// CAFile adds a PEM bundle to the trusted roots; Pin, when set, is the
	// hex SHA-256 of the server certificate's SubjectPublicKeyInfo.
	CAFile string
	Pin    string
	// ConnectTimeout and ReadTimeout bound one request (defaults 10s, 5m).
	ConnectTimeout time.Duration
	ReadTimeout    time.Duration
	// Retries is how many times a retryable call is repeated (default 4);
	// a negative value disables retries.
	Retries int
	// MaxResponse caps a response body in bytes (default 256 MiB).
	MaxResponse int64
	// Lang is sent in every call's context when set.
	Lang string
	// Context holds extra context keys sent with every call.
	Context map[string]any
	// UserAgent defaults to "ferry".
	UserAgent string
}

func (c Config) secret() secret.String {
	if !c.APIKey.IsZero() {
		return c.APIKey
	}
	return c.Password
}

func (c *Config) defaults() {
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 10 * time.Second
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = 5 * time.Minute
	}
	if c.Retries == 0 {
		c.Retries = 4
	}
	if c.MaxResponse == 0 {
		c.MaxResponse = 256 << 20
	}
	if c.UserAgent == "" {
		c.UserAgent = "ferry"
	}
}

// check validates the configuration and returns the parsed base URL and
// the warnings Dial reports.
func (c Config) check() (*url.URL, []string, error) {
	if c.URL == "" {
		return nil, nil, errors.New("no Odoo URL (--url or FERRY_ODOO_URL)")
	}
	u, err := url.Parse(strings.TrimRight(c.URL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, nil, fmt.Errorf("Odoo URL %q is not an http(s) URL", secret.RedactURL(c.URL))
	}
	if u.User != nil {
		return nil, nil, errors.New("the Odoo URL must not hold credentials: use --login and FERRY_ODOO_PASSWORD or FERRY_ODOO_API_KEY")
	}
	switch {
	case c.Database == "":
		return nil, nil, errors.New("no database (--db or FERRY_ODOO_DB)")
	case c.Login == "" && c.APIKey.IsZero():
		return nil, nil, errors.New("no login (--login or FERRY_ODOO_LOGIN)")
	case c.Password.IsZero() && c.APIKey.IsZero():
		return nil, nil, errors.New("no password or API key (FERRY_ODOO_PASSWORD or FERRY_ODOO_API_KEY)")
	}
	var warn []string
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		if !c.Insecure {
			return nil, nil, fmt.Errorf("refusing plain HTTP to %s: credentials and data would cross the network unencrypted (use https, or --insecure to accept the risk)", u.Host)
		}
		warn = append(warn, fmt.Sprintf("insecure: plain HTTP to %s, credentials and data travel unencrypted", u.Host))
	}
	if u.Scheme == "https" && c.Insecure && c.Pin == "" {
		warn = append(warn, fmt.Sprintf("insecure: the certificate of %s is not verified", u.Host))
	}
	return u, warn, nil
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
