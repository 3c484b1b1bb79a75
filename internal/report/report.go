package report

import (
	"time"

	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// SchemaVersion is the version of the JSON document. Bump it on any change
// that removes or renames a key; adding keys keeps it.
const SchemaVersion = 1

// Report is everything a report shows.
type Report struct {
	SchemaVersion int                    `json:"schema_version"`
	Kind          string                 `json:"kind"` // run, verify, validate
	Title         string                 `json:"title"`
	RunID         string                 `json:"run_id,omitempty"`
	Actor         string                 `json:"actor"`
	StartedAt     time.Time              `json:"started_at"`
	FinishedAt    time.Time              `json:"finished_at"`
	Plan          Plan                   `json:"plan"`
	Sources       []Source               `json:"sources"`
	Target        Target                 `json:"target"`
	Context       map[string]any         `json:"context,omitempty"`
	Entities      []Entity               `json:"entities"`
	Controls      []verify.ControlResult `json:"controls,omitempty"`
	Audit         AuditHead              `json:"audit"`
	Notes         []string               `json:"notes,omitempty"`
	Result        string                 `json:"result"` // ok, differences, partial, failed
}

// Plan identifies the plan file.
type Plan struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Digest string `json:"digest"`
}

// Source identifies one source and the digest of what was read.
type Source struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Digest string `json:"digest,omitempty"`
}

// Target identifies the Odoo database. URL is stored redacted.
type Target struct {
	URL      string `json:"url"`
	Database string `json:"database"`
	Version  string `json:"server_version,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	Sandbox  bool   `json:"sandbox,omitempty"`
}

// AuditHead is the audit log's head when the report was written; with the
// signed checkpoint it proves the log was not cut short since.
type AuditHead struct {
	Seq        int64  `json:"seq"`
	Hash       string `json:"hash"`
	Checkpoint string `json:"checkpoint,omitempty"`
}

// Entity is one entity's counts, quarantined rows and differences.
type Entity struct {
	Name        string          `json:"name"`
	Model       string          `json:"model"`
	Counts      progress.Counts `json:"counts"`
	Quarantined []Row           `json:"quarantined,omitempty"`
	Records     Buckets         `json:"records"`
	Diffs       []verify.Result `json:"differences,omitempty"`
}

// Holds reports whether the entity's identity holds.
func (e Entity) Holds() bool { return e.Counts.Holds() }

// Row is one quarantined row: where it came from and why.
type Row struct {
	Key      string   `json:"key"`
	Position string   `json:"position"`
	Codes    []string `json:"codes"`
	Messages []string `json:"messages"`
}

// Buckets counts verified records per status.
type Buckets struct {
	Match   int `json:"match"`
	Differ  int `json:"differ"`
	Missing int `json:"missing"`
	Extra   int `json:"extra"`
}

// Add counts one verification result.
func (b *Buckets) Add(s verify.Status) {
	switch s {
	case verify.Match:
		b.Match++
	case verify.Differ:
		b.Differ++
	case verify.Missing:
		b.Missing++
	case verify.Extra:
		b.Extra++
	}
}

// Clean reports whether every verified record matched.
func (b Buckets) Clean() bool { return b.Differ+b.Missing+b.Extra == 0 }
