package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Status is a run's status.
type Status string

// Run statuses. Running, Failed and Interrupted runs are unfinished: the
// next run of the same plan resumes them.
const (
	StatusRunning     Status = "running"
	StatusDone        Status = "done"
	StatusFailed      Status = "failed"
	StatusInterrupted Status = "interrupted"
	StatusRolledBack  Status = "rolled_back"
)

// Run is one run of a plan.
type Run struct {
	ID         string            `json:"id"`
	Plan       string            `json:"plan"`
	PlanDigest string            `json:"plan_sha256"`
	Inputs     map[string]string `json:"inputs,omitempty"`
	Started    time.Time         `json:"started_at"`
	Finished   time.Time         `json:"finished_at,omitzero"`
	Status     Status            `json:"status"`
	// AuditCheckpoint is the audit log's checkpoint after the run's entry.
	AuditCheckpoint string `json:"audit_checkpoint,omitempty"`
	// Resumed is true when Begin continued an unfinished run.
	Resumed bool `json:"resumed,omitempty"`
	// History says the ledger holds every row the run wrote (RunHistory),
	// even those later runs took over: true for runs begun on ledger
	// schema 4 or later, and for a run that was its plan's latest when the
	// ledger was migrated to it.
	History bool `json:"history"`
}

// PlanChangedError refuses to resume a run whose plan file changed.
type PlanChangedError struct {
	Run       string
	Was, Now  string
	StartedAt time.Time
}

func (e *PlanChangedError) Error() string {
	return fmt.Sprintf("ledger: unfinished run %s (started %s) used plan sha256 %.12s, the plan is now %.12s: "+
		"finish it with the old plan, or resume with --force", e.Run, e.StartedAt.Format(time.RFC3339), e.Was, e.Now)
}

// ExitCode makes the CLI exit 6 (an operator is needed).
func (e *PlanChangedError) ExitCode() int { return 6 }

// Begin resumes the latest unfinished run of plan, or starts a new one. A
// changed plan digest is refused with *PlanChangedError unless force, in
// which case the run continues under the new digest. now is the start
// time of a new run.
func (s *Store) Begin(ctx context.Context, plan, digest string, inputs map[string]string, force bool, now time.Time) (*Run, error) {
	r, err := s.unfinished(ctx, plan)
	if err != nil {
		return nil, err
	}
	if r != nil {
		return s.resume(ctx, r, digest, inputs, force)
	}
	r = &Run{ID: newRunID(now), Plan: plan, PlanDigest: digest, Inputs: inputs, Started: now.UTC(), Status: StatusRunning, History: true}
	in, _ := json.Marshal(nonNil(inputs))
	_, err = s.db.ExecContext(ctx, `INSERT INTO runs (id, plan, plan_digest, inputs, started_at, status, history) VALUES (?,?,?,?,?,?,?)`,
		r.ID, plan, digest, string(in), fmtTime(r.Started), string(r.Status), true)
	if err != nil {
		return nil, fmt.Errorf("ledger: start run: %w", err)
	}
	return r, nil
}

func (s *Store) resume(ctx context.Context, r *Run, digest string, inputs map[string]string, force bool) (*Run, error) {
	if r.PlanDigest != digest && !force {
		return nil, &PlanChangedError{Run: r.ID, Was: r.PlanDigest, Now: digest, StartedAt: r.Started}
	}
	in, _ := json.Marshal(nonNil(inputs))
	_, err := s.db.ExecContext(ctx, `UPDATE runs SET plan_digest = ?, inputs = ?, status = ?, finished_at = NULL WHERE id = ?`,
		digest, string(in), string(StatusRunning), r.ID)
	if err != nil {
		return nil, fmt.Errorf("ledger: resume run %s: %w", r.ID, err)
	}
	r.PlanDigest, r.Inputs, r.Status, r.Resumed = digest, inputs, StatusRunning, true
	return r, nil
}

func (s *Store) unfinished(ctx context.Context, plan string) (*Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs WHERE plan = ? AND status NOT IN (?, ?)
		ORDER BY started_at DESC, id DESC LIMIT 1`, plan, string(StatusDone), string(StatusRolledBack))
	if err != nil {
		return nil, fmt.Errorf("ledger: find unfinished run: %w", err)
	}
	list, err := scanRuns(rows)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

// Finish sets the run's status and end time.
func (s *Store) Finish(ctx context.Context, runID string, st Status, now time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ? WHERE id = ?`, string(st), fmtTime(now), runID)
	if err != nil {
		return fmt.Errorf("ledger: finish run %s: %w", runID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("ledger: finish run %s: no such run", runID)
	}
	return nil
}

// SetAuditCheckpoint stores the audit log's checkpoint taken after the
// run's entry.
func (s *Store) SetAuditCheckpoint(ctx context.Context, runID, checkpoint string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE runs SET audit_checkpoint = ? WHERE id = ?`, checkpoint, runID)
	if err != nil {
		return fmt.Errorf("ledger: run %s: store the audit checkpoint: %w", runID, err)
	}
	return nil
}

// Runs lists every run, newest first.
func (s *Store) Runs(ctx context.Context) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs ORDER BY started_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("ledger: list runs: %w", err)
	}
	return scanRuns(rows)
}

// Run returns one run, or an error naming the id.
func (s *Store) Run(ctx context.Context, id string) (*Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id)
	return oneRun(id, rows, err)
}

// oneRun reads the run a query by id selected.
func oneRun(id string, rows *sql.Rows, err error) (*Run, error) {
	if err != nil {
		return nil, fmt.Errorf("ledger: read run %s: %w", id, err)
	}
	list, err := scanRuns(rows)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("ledger: no run %s", id)
	}
	return &list[0], nil
}

const runColumns = `id, plan, plan_digest, inputs, started_at, finished_at, status, audit_checkpoint, history`

func scanRuns(rows *sql.Rows) ([]Run, error) {
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var in, started, st string
		var fin sql.NullString
		if err := rows.Scan(&r.ID, &r.Plan, &r.PlanDigest, &in, &started, &fin, &st, &r.AuditCheckpoint, &r.History); err != nil {
			return nil, fmt.Errorf("ledger: read run: %w", err)
		}
		if err := json.Unmarshal([]byte(in), &r.Inputs); err != nil {
			return nil, fmt.Errorf("ledger: run %s: inputs: %w", r.ID, err)
		}
		r.Status = Status(st)
		r.Started, _ = time.Parse(time.RFC3339Nano, started)
		if fin.Valid {
			r.Finished, _ = time.Parse(time.RFC3339Nano, fin.String)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: read runs: %w", err)
	}
	return out, nil
}

func newRunID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "r" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
