package orm

import "fmt"

// Exception is an Odoo exception raised by a model method: Class is the
// fully qualified Python name Odoo reports ("odoo.exceptions.ValidationError",
// "builtins.ValueError", "psycopg2.errors.SerializationFailure"), Message its
// text exactly as Odoo words it, Args the exception's args (usually
// [Message]). The protocol layer turns it into an XML-RPC fault, a JSON-RPC
// error or a JSON-2 status.
type Exception struct {
	Class   string
	Message string
	Args    []any
}

func (e *Exception) Error() string { return fmt.Sprintf("%s: %s", e.Class, e.Message) }

// Exception classes the sandbox raises.
const (
	UserError        = "odoo.exceptions.UserError"
	ValidationError  = "odoo.exceptions.ValidationError"
	AccessError      = "odoo.exceptions.AccessError"
	AccessDenied     = "odoo.exceptions.AccessDenied"
	MissingError     = "odoo.exceptions.MissingError"
	ValueError       = "builtins.ValueError"
	KeyError         = "builtins.KeyError"
	TypeError        = "builtins.TypeError"
	AttributeError   = "builtins.AttributeError"
	SerializationErr = "psycopg2.errors.SerializationFailure"
)

// None is the result of a method that returns Python None (button_draft…):
// XML-RPC cannot marshal it, JSON-RPC omits "result", JSON-2 sends null.
type None struct{}

// Call is one model method call.
//
// Positional (execute_kw) calls set Args exactly as sent, ids first for
// record methods, and Kwargs. Named (JSON-2) calls set Named, IDs (HasIDs
// when the body carried "ids") and put every argument in Kwargs; the ORM
// binds them by parameter name. Context is the call's context (empty when
// the caller sent none: Odoo does not inject the user's lang or tz).
//
// Values are JSON-like: nil, bool, int64, float64, string, []any,
// map[string]any. Results use the same kinds, plus map[int64]any for
// get_external_id (which XML-RPC cannot marshal) and None.
type Call struct {
	UID     int64
	Model   string
	Method  string
	Args    []any
	Kwargs  map[string]any
	Named   bool
	IDs     []int64
	HasIDs  bool
	Context map[string]any
}
