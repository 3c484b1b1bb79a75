package odoo

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies a failure by how a caller should react to it.
type Kind int

// Kinds. Transport, Unavailable and Concurrency are retryable (see
// Error.Retryable); the others are not.
const (
	KindUnknown     Kind = iota
	KindTransport        // connection refused or reset, timeout
	KindUnavailable      // HTTP 502, 503, 504
	KindConcurrency      // serialization failure, deadlock, lock error (409)
	KindAuth             // wrong credentials, expired key (AccessDenied, 401)
	KindAccess           // the user may not do this (AccessError, 403)
	KindValidation       // UserError, ValidationError: the data is refused
	KindMissing          // MissingError: a record does not exist
	KindNotFound         // unknown model, method or endpoint
	KindServer           // any other exception (ValueError, KeyError…)
	KindProtocol         // not an Odoo answer: an HTML page, a proxy, a truncated body
)

var kindNames = [...]string{"unknown", "transport", "unavailable", "concurrency", "auth", "access",
	"validation", "missing", "not_found", "server", "protocol"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Error is every failure of an Odoo call.
type Error struct {
	Kind Kind
	// Class is the exception's qualified class name as Odoo reports it
	// ("odoo.exceptions.ValidationError"); empty for transport failures.
	Class   string
	Message string
	Model   string
	Method  string
	// Status is the HTTP status when one was received.
	Status int
	// Sent is true when the request may have reached the server, so that
	// its effect is unknown (a timeout after the request was written).
	Sent bool
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("odoo")
	if e.Model != "" {
		b.WriteString(" " + e.Model)
		if e.Method != "" {
			b.WriteString("." + e.Method)
		}
	}
	b.WriteString(": ")
	if e.Class != "" {
		b.WriteString(shortClass(e.Class) + ": ")
	}
	b.WriteString(e.Message)
	if e.Err != nil && e.Message == "" {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the failure is transient: a repeat of the same
// call may succeed. It says nothing about whether repeating is safe (see
// the client's retry policy).
func (e *Error) Retryable() bool {
	switch e.Kind {
	case KindTransport, KindUnavailable, KindConcurrency:
		return true
	}
	return false
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

func shortClass(c string) string {
	if i := strings.LastIndexByte(c, '.'); i >= 0 {
		return c[i+1:]
	}
	return c
}

// classify maps an exception class and message to a Kind.
func classify(class, msg string) Kind {
	switch {
	case isUnknownName(class, msg):
		return KindNotFound
	case isConcurrency(class, msg):
		return KindConcurrency
	case strings.HasSuffix(class, ".AccessDenied"), strings.HasSuffix(class, "SessionExpiredException"):
		return KindAuth
	case strings.HasSuffix(class, ".AccessError"):
		return KindAccess
	case strings.HasSuffix(class, ".MissingError"):
		return KindMissing
	case strings.HasSuffix(class, ".UserError"), strings.HasSuffix(class, ".ValidationError"),
		strings.HasSuffix(class, ".RedirectWarning"):
		return KindValidation
	case strings.HasSuffix(class, ".NotFound"):
		return KindNotFound
	}
	return KindServer
}

// isConcurrency recognises PostgreSQL serialization failures and deadlocks
// and Odoo 19's LockError, whatever transport carried them.
func isConcurrency(class, msg string) bool {
	switch {
	case strings.HasSuffix(class, "SerializationFailure"), strings.HasSuffix(class, "DeadlockDetected"),
		strings.HasSuffix(class, "LockNotAvailable"), strings.HasSuffix(class, ".LockError"):
		return true
	}
	return IsConcurrencyMessage(msg)
}

// IsConcurrencyMessage reports whether an Odoo message (an exception's or a
// load row message's) is a serialization failure or a deadlock.
func IsConcurrencyMessage(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "could not serialize access") || strings.Contains(m, "deadlock detected") ||
		strings.Contains(m, "could not obtain lock")
}

// faultError decodes an XML-RPC /xmlrpc/2 fault: 1 carries a Python
// traceback, 2 a UserError-family message, 3 AccessDenied, 4 AccessError.
func faultError(code int, s string) *Error {
	switch code {
	case 2:
		class := "odoo.exceptions.UserError"
		if strings.HasPrefix(s, "Record does not exist or has been deleted") {
			class = "odoo.exceptions.MissingError"
		}
		return &Error{Kind: classify(class, s), Class: class, Message: s}
	case 3:
		return &Error{Kind: KindAuth, Class: "odoo.exceptions.AccessDenied", Message: s}
	case 4:
		return &Error{Kind: KindAccess, Class: "odoo.exceptions.AccessError", Message: s}
	}
	class, msg := tracebackException(s)
	return &Error{Kind: classify(class, msg), Class: class, Message: msg}
}

// tracebackException reads the exception from a Python traceback: the
// first unindented line after the last `File "…"` frame, plus the lines
// that follow it (caret lines dropped: psycopg2 errors end with one).
func tracebackException(tb string) (string, string) {
	lines := strings.Split(strings.TrimRight(tb, "\n"), "\n")
	start := 0
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " "), "File \"") {
			start = i + 1
		}
	}
	for i := start; i < len(lines); i++ {
		if lines[i] == "" || lines[i][0] == ' ' || lines[i][0] == '\t' {
			continue
		}
		return splitException(lines[i:])
	}
	return "", strings.TrimSpace(tb)
}

func splitException(lines []string) (string, string) {
	var rest []string
	for _, l := range lines[1:] {
		if t := strings.TrimSpace(l); t != "" && strings.Trim(t, "^~ ") == "" {
			continue
		}
		rest = append(rest, l)
	}
	head := lines[0]
	class, msg, ok := strings.Cut(head, ": ")
	if !ok || strings.ContainsAny(class, " ()") {
		return "", strings.TrimSpace(strings.Join(lines, "\n"))
	}
	if !strings.Contains(class, ".") {
		class = "builtins." + class
	}
	if len(rest) > 0 {
		msg += "\n" + strings.Join(rest, "\n")
	}
	return class, strings.TrimSpace(msg)
}

// errNoValue marks an XML-RPC "cannot marshal None" fault after an object
// call: the method ran and committed, and returned None.
func isNoneFault(e *Error) bool {
	return e.Class == "builtins.TypeError" && strings.Contains(e.Message, "cannot marshal None")
}

// NoValue is the result of a call that succeeded and returned Python None
// (button_draft and other action methods), whatever the transport: over
// XML-RPC Odoo reports it as a "cannot marshal None" fault after
// committing, over JSON-RPC it leaves "result" out, over JSON-2 it answers
// null. The client turns each into NoValue and never retries such a call.
type NoValue struct{}

func wrapf(kind Kind, err error, format string, a ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, a...), Err: err}
}

// isUnknownName recognises an unknown model ("Object x doesn't exist", a
// UserError) or method ("The method 'x.y' does not exist", AttributeError).
func isUnknownName(class, msg string) bool {
	switch {
	case strings.HasSuffix(class, ".UserError") && strings.HasPrefix(msg, "Object ") && strings.HasSuffix(msg, " doesn't exist"):
		return true
	case (class == "builtins.AttributeError" || class == "builtins.NameError") && strings.Contains(msg, "does not exist"),
		strings.HasPrefix(msg, "Method not available"):
		return true
	}
	return false
}
