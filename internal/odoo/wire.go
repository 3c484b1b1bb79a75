package odoo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// wire sends HTTP requests with the configured TLS, timeouts and limits,
// and turns transport failures into *Error.
type wire struct {
	base *url.URL
	http *http.Client
	max  int64
	ua   string
}

func newWire(cfg Config, base *url.URL) (*wire, error) {
	tlsConf, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: cfg.ConnectTimeout}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   cfg.ConnectTimeout,
		ResponseHeaderTimeout: cfg.ReadTimeout,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
	}
	return &wire{base: base, http: &http.Client{Transport: tr, CheckRedirect: noRedirect}, max: cfg.MaxResponse, ua: cfg.UserAgent}, nil
}

// noRedirect refuses redirects: a redirect of an RPC endpoint is a proxy or
// a login page, and following it could send credentials elsewhere.
func noRedirect(req *http.Request, _ []*http.Request) error {
	return fmt.Errorf("the server redirected to %s", bareURL(req.URL))
}

func bareURL(u *url.URL) string { c := *u; c.User = nil; c.RawQuery = ""; return c.String() }

func tlsConfig(cfg Config) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		pool, _ := x509.SystemCertPool()
		if pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", cfg.CAFile)
		}
		conf.RootCAs = pool
	}
	if cfg.Insecure || cfg.Pin != "" {
		conf.InsecureSkipVerify = cfg.Insecure || cfg.Pin != ""
	}
	if cfg.Pin != "" {
		want := strings.ToLower(strings.ReplaceAll(cfg.Pin, ":", ""))
		conf.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			return checkPin(raw, want)
		}
	}
	return conf, nil
}

func checkPin(raw [][]byte, want string) error {
	if len(raw) == 0 {
		return errors.New("no server certificate")
	}
	cert, err := x509.ParseCertificate(raw[0])
	if err != nil {
		return err
	}
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("certificate pin mismatch: the server's key hashes to %s", got)
	}
	return nil
}

// reply is a received HTTP answer.
type reply struct {
	status int
	ctype  string
	body   []byte
}

// do sends one request. The returned error is always an *Error.
func (w *wire) do(ctx context.Context, method, path string, hdr http.Header, body []byte) (*reply, error) {
	u := *w.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, wrapf(KindProtocol, err, "request %s: %v", path, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", w.ua)
	resp, err := w.http.Do(req)
	if err != nil {
		return nil, transportError(ctx, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, w.max+1))
	if err != nil {
		e := transportError(ctx, path, err)
		e.Sent = true
		return nil, e
	}
	if int64(len(b)) > w.max {
		return nil, &Error{Kind: KindProtocol, Status: resp.StatusCode, Message: fmt.Sprintf("the answer to %s exceeds the %d-byte limit", path, w.max)}
	}
	return &reply{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: b}, nil
}

func transportError(ctx context.Context, path string, err error) *Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is said once, by the caller
	}
	if ctx.Err() != nil {
		return &Error{Kind: KindTransport, Message: fmt.Sprintf("%s: %v", path, ctx.Err()), Err: ctx.Err(), Sent: true}
	}
	e := &Error{Kind: KindTransport, Message: fmt.Sprintf("%s: %v", path, err), Err: err, Sent: true}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		e.Sent = false
		e.Message = fmt.Sprintf("cannot connect: %v", op.Err)
	}
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) || strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "redirected") {
		e.Kind, e.Sent = KindProtocol, false
	}
	return e
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// isHTML reports whether a body is an HTML page.
func (r *reply) isHTML() bool {
	if strings.HasPrefix(r.ctype, "text/html") {
		return true
	}
	head := strings.ToLower(string(bytes.TrimSpace(r.body[:min(len(r.body), 64)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}

// htmlError reports an HTML page where an API answer was expected.
func (r *reply) htmlError(path, want string) *Error {
	title := ""
	if m := titleRE.FindSubmatch(r.body); m != nil {
		title = fmt.Sprintf(" titled %q", strings.TrimSpace(string(m[1])))
	}
	return &Error{Kind: KindProtocol, Status: r.status, Message: fmt.Sprintf(
		"%s answered HTTP %d with an HTML page%s where %s was expected (a proxy, a login page, or the endpoint is disabled)",
		path, r.status, title, want)}
}

// unavailable reports a 502, 503 or 504: a proxy or a restarting server,
// whatever page it shows.
func (r *reply) unavailable() bool { return r.status >= 502 && r.status <= 504 }

// statusError classifies a non-2xx answer that carries no Odoo error body.
func (r *reply) statusError(path string) *Error {
	e := &Error{Status: r.status, Kind: KindProtocol, Message: fmt.Sprintf("%s answered HTTP %d", path, r.status)}
	switch r.status {
	case 502, 503, 504:
		e.Kind = KindUnavailable
	case 401:
		e.Kind = KindAuth
	case 404:
		e.Kind = KindNotFound
	}
	return e
}
