// Package pipeline turns a plan's source rows into rows bound for Odoo:
// it reads each entity's source (and its lines' sources), masks, maps with
// compiled expressions, cleanses, resolves references and validates, and
// yields one Outcome per source row — Ready, Quarantined or Skipped — never
// dropping a row. Entities come in dependency order (parents first); a
// cycle gives an entity a second pass that only links references.
//
// The loader and `ferry validate` share it: validate counts outcomes and
// writes quarantine files; the loader sends Ready rows to Odoo.
package pipeline
