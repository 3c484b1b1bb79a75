// Package diag defines findings: coded, positioned statements about the
// input (a bad row, a duplicate key, a missing reference). Findings are
// values, not errors: a row with an error-severity finding is quarantined
// and the run goes on; a dead connection is an error and stops it.
//
// Codes are stable and never reused: CFG1xx plan file, MAP2xx mapping,
// VAL3xx validation, LOAD4xx load, REC5xx reconciliation, SEC6xx integrity
// and crypto. Each code is declared once in codes.go with its meaning.
package diag
