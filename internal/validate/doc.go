// Package validate checks mapped rows against the target's schema (fields
// exist, values convert to the field type, required fields, selection keys,
// char sizes, relations, readonly fields) and against a plan's declared
// rules. A finding has a stable code; errors quarantine the row, warnings
// do not. Schema is the target's fields_get per model, live or from a
// snapshot file (LoadSchema).
package validate
