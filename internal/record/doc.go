// Package record holds the data that flows through Ferry, with no I/O.
//
// A Record is one row read from a source: its columns in source order, its
// values and its Position (file, line, row or key), so every finding can name
// where it came from. A Row is one record bound for Odoo after mapping: the
// entity and model, the source key, the external ID, the field values and the
// one2many lines. Values are plain Go values (see Value).
package record
