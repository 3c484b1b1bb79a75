// Package quarantine writes the rows Ferry will not load: one CSV file per
// entity (quarantine/<entity>.csv, mode 0600, because it holds source data),
// with the original row's columns (a cell a spreadsheet would run as a formula
// prefixed with an apostrophe), its position (file:line or key) and the
// finding codes and messages that sent it there. Validation and the loader
// (rows Odoo rejects) both write through it.
package quarantine
