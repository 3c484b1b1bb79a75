// Package scaffold drafts a plan from a source's columns and a target
// model's fields, for `ferry init`.
//
// Vocabulary:
//
//   - A Profile describes one source column from a sample of its values:
//     its Kind (empty, text, email, phone, int, number, bool, date,
//     datetime), the date format or number locale that reads every sampled
//     value, and whether the values are unique and never empty.
//   - A Match pairs a column with a field of the model. Its Score (0..1)
//     comes from the names (normalised: case, accents, separators,
//     abbreviations and synonyms), from the field's label in the target's
//     language, and is scaled by how well the column's values fit the
//     field's type; Reason says which, for the plan's comments.
//   - Build assigns columns to fields greedily by score (each column and
//     each field at most once), picks the key column, writes one
//     expression per match and renders the plan's YAML with a comment on
//     every guess. It parses what it wrote with the plan loader, so a draft
//     that does not load is an error, never a file.
//
// The package is quiet: it reads no source and no target itself (the CLI
// passes the sample and the fields in), and prints nothing.
package scaffold
