// Package mapping compiles a plan's field expressions (expr-lang) once and
// evaluates them per row, with the function library migrations need
// (text, dates, numbers, booleans, value maps, ref and lookup), and builds
// external IDs: <namespace>.<entity>_<key>[_<line key>], keys encoded to
// [A-Za-z0-9_.-], long or personal keys replaced by a keyed hash.
//
// An expression sees row (the source row's columns), out (the fields mapped
// so far), key (the row's key) and, in rule checks, lines (one2many field →
// the mapped lines). ref() and lookup() return references the pipeline
// resolves and checks; Ferry never sends names.
package mapping
