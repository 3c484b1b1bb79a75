// Package sandbox is an Odoo-compatible server for tests, `ferry demo` and
// rehearsals: it speaks Odoo's three external protocols — XML-RPC
// (/xmlrpc/2), JSON-RPC (/jsonrpc) and, in Odoo 19 mode, JSON-2 (/json/2
// and GET /web/version) — over the in-memory ORM of package orm, with the
// envelopes, HTTP statuses, fault codes and messages a real Odoo 18 or 19
// answers with.
//
// Besides the built-in admin, Options.Users adds internal users; one marked
// Restricted gets the AccessErrors and record rules an internal user
// without administration rights meets on a real Odoo (see User). Each user
// works in their companies (the main one, and those they create): a call
// whose allowed_company_ids names another gets Odoo's AccessError where a
// real Odoo would raise it (orm/companies.go).
//
// New starts one on a loopback port, like httptest.NewServer; Handler
// serves it on a listener of the caller's (`ferry sandbox`). Faults injects
// latency, dropped connections, 5xx answers and serialization failures on
// every Nth call or at random with a seed, so clients can be tested against
// the failures real servers produce. Output calls it "the sandbox", never
// "Odoo".
package sandbox
