// Package plan reads a migration plan: the YAML file that describes, once,
// where data comes from (sources), where it goes (target), and how each
// entity's rows become Odoo records (model, key, field expressions, lines,
// rules, skips, masks).
//
// Load decodes strictly against the plan's JSON Schema (generated from the
// types in this package, see Schema), so a typo is a finding, and reports
// every problem at once as diag.Diagnostic with file:line:column and the
// YAML path. Secrets appear only by reference ({env: NAME} or {file: PATH});
// a literal secret is a finding that says how to fix it.
package plan
