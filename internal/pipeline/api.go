package pipeline

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// State is the fate of a source row in the pipeline.
type State int

// States. Ready rows go to the loader; Quarantined rows have at least one
// error finding; Skipped rows matched a declared skip rule.
const (
	Ready State = iota
	Quarantined
	Skipped
)

func (s State) String() string {
	switch s {
	case Ready:
		return "ready"
	case Quarantined:
		return "quarantined"
	case Skipped:
		return "skipped"
	}
	return "unknown"
}

// Outcome is what became of one source row. Row is nil when no row could
// be built. Findings holds every finding (warnings too); SkipRule names the
// skip rule of a Skipped row.
type Outcome struct {
	Row      *record.Row
	Source   *record.Record
	State    State
	Findings []diag.Diagnostic
	SkipRule string
	// Reason is the skip rule's stated reason.
	Reason string
}

// Lookuper finds records already in the target. Lookup is called by
// Stream, on its goroutine, once per batch of distinct values (not per
// row); it returns, per value, the database ids of the records whose field
// equals it (several ids = ambiguous, a finding). An error stops Stream.
type Lookuper interface {
	Lookup(ctx context.Context, model, field string, values []string) (map[string][]int64, error)
}

// CompanyLookuper tells the companies of records a lookup found (the
// company_id, or company_ids, of each id); a Lookuper that implements it
// lets the pipeline check an entity's company against its references.
type CompanyLookuper interface {
	RecordCompanies(ctx context.Context, model string, ids []int64) (map[int64][]int64, error)
}

// Masker masks one value of a kind (email, phone, person_name, ...),
// deterministically for a given key.
type Masker interface {
	Mask(kind, value string) (string, error)
}

// OpenFunc opens the source an entity selects.
type OpenFunc func(ctx context.Context, name string, spec source.Spec, sel source.Select, dir string) (source.Source, error)

// Options configure Prepare.
type Options struct {
	// Schema is the target's fields_get per model; nil skips schema checks.
	Schema validate.Schema
	// ServerVersion is the target's major version (16, 17, 18, 19); 0 = unknown.
	ServerVersion int
	// Lookups resolves lookup(); nil = offline: lookups are findings (MAP209).
	Lookups Lookuper
	// Companies maps an entity to the database id of the company its
	// records belong to (company: in the plan); a lookup into a
	// company-bound model must then find a record of that company (VAL323).
	Companies map[string]int64
	// AllowedCompanies are every company the run may touch (the entities'
	// and the user's own), in the order the target's context lists them.
	AllowedCompanies []int64
	// Masker applies the entities' mask: rules when set.
	Masker Masker
	// Events receives progress events; nil discards them.
	Events progress.Sink
	// Open opens sources; nil uses the built-in opener.
	Open OpenFunc
	// Modules lists the target's module names (the namespace must not be
	// one); nil uses a built-in list of standard modules.
	Modules []string
	// KeySecret keys the hash of long and personal keys; zero derives a
	// key from the plan's namespace (stable, but not secret).
	KeySecret secret.String
	// UoMCategories maps a unit of measure's database id to its category
	// (16–18) or the root of its reference chain (19+); when set, a
	// product's uom_id and uom_po_id must map to the same value (VAL318).
	UoMCategories map[int64]int64
	// LookupBatch is how many rows are mapped before lookups are resolved
	// together (default 500).
	LookupBatch int
	// IndexBudget bounds the memory of the key indexes (duplicate keys,
	// case clashes, duplicates: searches, unique rules, the keys references
	// are checked against), in bytes; beyond it they spill to files in
	// SpillDir. 0 = DefaultIndexBudget (128 MiB); negative = spill at once.
	IndexBudget int64
	// SpillDir holds the spilled key indexes; "" = the system's temporary
	// directory. The files are removed by Close.
	SpillDir string
}

// Entity is one pass over one plan entity.
type Entity struct {
	Name  string
	Model string
	Plan  *plan.Entity
	// Pass is 1 (create) or 2 (link: only the fields that reference
	// entities loaded later, or the entity itself).
	Pass int
	// Links are the fields written in pass 2 (and left out of pass 1).
	Links []string
	// Columns are the source's columns (known after the first Stream).
	Columns []string
}
