package secret

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// Redacted is what every formatting of a String prints.
const Redacted = "**redacted**"

// String is a secret value. Its zero value is the empty secret.
type String struct{ v string }

// New wraps s as a secret.
func New(s string) String { return String{v: s} }

// Reveal returns the plain value. Call it only where the secret is sent to
// the system that needs it.
func (s String) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s String) IsZero() bool { return s.v == "" }

// String implements fmt.Stringer.
func (s String) String() string { return Redacted }

// GoString implements fmt.GoStringer, so %#v redacts too.
func (s String) GoString() string { return Redacted }

// Format implements fmt.Formatter so that every verb, %x and %q included,
// prints the redaction.
func (s String) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// MarshalJSON implements json.Marshaler.
func (s String) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler (YAML and others use it).
func (s String) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// LogValue implements slog.LogValuer.
func (s String) LogValue() slog.Value { return slog.StringValue(Redacted) }

// Ref names a secret held outside the plan: in an environment variable or
// in a file. Exactly one of Env and File is set.
type Ref struct {
	Env  string `yaml:"env,omitempty" json:"env,omitempty"`
	File string `yaml:"file,omitempty" json:"file,omitempty"`
}

// ErrUnset is returned by Resolve when the reference names nothing.
var ErrUnset = errors.New("secret: reference names neither env nor file")

// IsZero reports whether the reference is empty.
func (r Ref) IsZero() bool { return r.Env == "" && r.File == "" }

// String describes the reference without its value.
func (r Ref) String() string {
	switch {
	case r.Env != "":
		return "env:" + r.Env
	case r.File != "":
		return "file:" + r.File
	}
	return "unset"
}

// configError is a secret the configuration does not provide (a variable
// not set, a file not readable): the command's exit code is 2, a usage or
// configuration error.
type configError struct{ error }

func (configError) ExitCode() int   { return 2 }
func (e configError) Unwrap() error { return e.error }

// Resolve reads the secret. A file's trailing newline is dropped.
func (r Ref) Resolve() (String, error) {
	switch {
	case r.Env != "" && r.File != "":
		return String{}, fmt.Errorf("secret: %s: give env or file, not both", r)
	case r.Env != "":
		v, ok := os.LookupEnv(r.Env)
		if !ok || v == "" {
			return String{}, configError{fmt.Errorf("secret: environment variable %s is not set", r.Env)}
		}
		return New(v), nil
	case r.File != "":
		b, err := os.ReadFile(r.File)
		if err != nil {
			return String{}, configError{fmt.Errorf("secret: read %s: %w", r.File, errors.Unwrap(err))}
		}
		return New(strings.TrimRight(string(b), "\r\n")), nil
	}
	return String{}, ErrUnset
}

var dsnPassword = regexp.MustCompile(`(?i)(password|passwd|pwd)=('[^']*'|"[^"]*"|[^\s;&]*)`)

// RedactURL removes the password from a URL ("postgres://u:p@h/db") or a
// key=value DSN ("host=h password=p"), so the result may be printed.
func RedactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			s = u.String()
		}
	}
	if i := strings.Index(s, "@tcp("); i > 0 { // go-sql-driver/mysql form user:pass@tcp(h)/db
		if j := strings.Index(s[:i], ":"); j >= 0 {
			s = s[:j+1] + "xxxxx" + s[i:]
		}
	}
	return dsnPassword.ReplaceAllString(s, "${1}=xxxxx")
}
