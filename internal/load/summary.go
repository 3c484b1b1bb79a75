package load

import (
	"fmt"
	"time"
)

// Summary is the result of a run: per entity pass the identity
// read = loaded + unchanged + quarantined + skipped.
type Summary struct {
	RunID     string           `json:"run_id"`
	Resumed   bool             `json:"resumed,omitempty"`
	Plan      string           `json:"plan"`
	Digest    string           `json:"plan_sha256"`
	Namespace string           `json:"namespace"`
	Ledger    string           `json:"ledger"`
	Context   map[string]any   `json:"context"`
	Entities  []*EntitySummary `json:"entities"`
	Holds     bool             `json:"identity_holds"`
	// Result is "ok", "partial" (rows quarantined, after-load actions,
	// translations or reconciliations failed), "failed" or "interrupted".
	Result string        `json:"result"`
	Took   time.Duration `json:"took_ns"`
}

// EntitySummary counts one entity pass.
type EntitySummary struct {
	Name        string   `json:"name"`
	Model       string   `json:"model"`
	Pass        int      `json:"pass"`
	Links       []string `json:"links,omitempty"`
	Read        int64    `json:"read"`
	Loaded      int64    `json:"loaded"`
	Unchanged   int64    `json:"unchanged"`
	Quarantined int64    `json:"quarantined"`
	Skipped     int64    `json:"skipped"`
	// Created and Updated split Loaded.
	Created  int64 `json:"created"`
	Updated  int64 `json:"updated"`
	Rejected int64 `json:"rejected_by_odoo"`
	// ChangedInTarget counts rows quarantined because someone changed
	// their record in Odoo since an earlier run wrote it.
	ChangedInTarget int64 `json:"changed_in_target,omitempty"`
	Warnings        int64 `json:"warnings,omitempty"`
	Batches         int64 `json:"batches"`
	// BatchSize is the batch size the pass ended with and SmallestBatch
	// the smallest it used: sizes adapt to Odoo's answer times.
	BatchSize     int  `json:"batch_size,omitempty"`
	SmallestBatch int  `json:"smallest_batch_size,omitempty"`
	Holds         bool `json:"identity_holds"`
	// Complete is false when the pass stopped before reading every row.
	Complete   bool     `json:"complete"`
	Quarantine []string `json:"quarantine_files,omitempty"`
	// MissingInSource lists the external IDs an earlier run loaded that
	// the source no longer has; Archived counts those archived
	// (on_delete: archive).
	MissingInSource []string `json:"missing_in_source,omitempty"`
	// LineMissingInSource lists the one2many lines (external IDs) an
	// earlier run wrote under a record this run updates that the source no
	// longer has: Odoo keeps them (load adds and updates lines, it never
	// removes one), so they are reported.
	LineMissingInSource []string `json:"line_missing_in_source,omitempty"`
	// LinesRemoved lists the lines deleted because the source no longer
	// has them and the plan's lines say replace.
	LinesRemoved []string `json:"lines_removed,omitempty"`
	// ChangedDuringRun lists the rows a resumed run had already loaded
	// whose source row changed since (a database source read again): they
	// are sent again with their new values.
	ChangedDuringRun []string      `json:"changed_during_run,omitempty"`
	Archived         int64         `json:"archived,omitempty"`
	AfterLoad        *StepSummary  `json:"after_load,omitempty"`
	Took             time.Duration `json:"took_ns"`

	// Translations counts the entity's translation steps (translations.go).
	Translations *TranslationSummary `json:"translations,omitempty"`
	// Reconcile counts the entity's reconciliations (reconcile.go).
	Reconcile *ReconcileSummary `json:"reconcile,omitempty"`
}

// StepSummary counts an entity's after-load action.
type StepSummary struct {
	Method string `json:"method"`
	Done   int64  `json:"done"`
	Failed int64  `json:"failed"`
}

func (e *EntitySummary) holds() bool {
	return e.Read == e.Loaded+e.Unchanged+e.Quarantined+e.Skipped
}

// IntegrityError says the identity does not hold for an entity pass: a row
// was lost or counted twice. The CLI exits 5.
type IntegrityError struct {
	Entity string
	Pass   int
	Read   int64
	Sum    int64
}

func (e *IntegrityError) Error() string {
	return fmt.Sprintf("integrity: entity %s pass %d: read %d rows, but loaded + unchanged + quarantined + skipped = %d",
		e.Entity, e.Pass, e.Read, e.Sum)
}

// ExitCode makes the CLI exit 5.
func (e *IntegrityError) ExitCode() int { return 5 }

// StoppedError says the target failed in a way no row explains (it stayed
// unavailable, refused the credentials, rejected the call as a whole).
// The ledger keeps the run resumable; the CLI exits 4.
type StoppedError struct {
	Entity string
	Err    error
}

func (e *StoppedError) Error() string {
	return fmt.Sprintf("load stopped at entity %s (run it again to resume): %v", e.Entity, e.Err)
}

func (e *StoppedError) Unwrap() error { return e.Err }

// ExitCode makes the CLI exit 4 (partial).
func (e *StoppedError) ExitCode() int { return 4 }
