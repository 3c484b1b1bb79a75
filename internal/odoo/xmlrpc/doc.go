// Package xmlrpc encodes and decodes XML-RPC messages the way Odoo writes
// and reads them: method calls, responses and faults, with values mapped to
// the JSON-like Go kinds the rest of Ferry uses (nil, bool, int64, float64,
// string, []byte, []any, map[string]any).
//
// Both sides use it: the Odoo client (requests out, responses in) and the
// sandbox (requests in, responses out). Odoo never sends dateTime.iso8601
// (dates travel as strings), cannot marshal None (allow_none is off; see
// ErrNone), and accepts <nil/> on input.
package xmlrpc
