// Package open opens the source a plan's selection names, by kind: csv
// files (internal/source/csv), xlsx workbooks (internal/source/xlsx),
// postgres, mysql and sqlite databases (internal/source/sqldb), and models
// of another Odoo database (internal/source/odoosrc). It is the one place
// that knows every kind; the pipeline uses Open as its default opener.
package open
