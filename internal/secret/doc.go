// Package secret holds credentials so that they cannot leak by accident.
//
// A String is a secret value: every way Go formats it (fmt verbs, JSON, text,
// slog) prints "**redacted**". Only Reveal returns the value, and only code
// that hands the secret to a server calls it. A Ref is how plan files and
// flags name a secret without containing it: {env: NAME} or {file: PATH}.
// RedactURL removes a password from a URL or DSN before it is printed.
package secret
