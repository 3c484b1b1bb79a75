// Package odoo is Ferry's client for Odoo's external API, versions 16 to 19,
// over its three transports: JSON-2 (/json/2, Odoo 19+, API key as bearer
// token), JSON-RPC (/jsonrpc) and XML-RPC (/xmlrpc/2).
//
// Dial detects the server version (GET /web/version, then common.version),
// picks a transport (JSON-2 where it exists and an API key is configured,
// else JSON-RPC; the user may force one), and authenticates. Every call
// carries a context with tz UTC (Odoo's load interprets datetimes in the
// context's tz, else in the user's), the configured lang and the caller's
// keys.
//
// Every failure is an *Error carrying the exception class, message, model
// and method, and a Kind that says how to react: retry (connection resets,
// timeouts, 502/503/504, serialization failures and deadlocks — also when
// they arrive as a row message in a load answer), or not (validation,
// access, missing records). Calls are retried with exponential backoff and
// jitter only when repeating them is safe.
//
// Transport hygiene: TLS is required for every host outside loopback unless
// Config.Insecure is set; certificates are verified (optional CA file and
// SHA-256 pin); responses are capped in size; an HTML page where JSON or XML
// was expected is reported as such. Passwords and API keys are secret.String
// and never appear in errors.
//
// This package imports nothing of Ferry's except secret.
package odoo
