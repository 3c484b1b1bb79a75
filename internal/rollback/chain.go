package rollback

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/ledger"
)

// ErrRolledBack refuses to undo a run twice: its before-images would
// overwrite whatever the target holds now.
var ErrRolledBack = errors.New("rollback: the run is already rolled back")

// LaterRunsError refuses to undo a run alone when later runs of the same
// plan built on it: they updated records it created (their before-images
// hold its values) and took its ledger rows over, so undoing it alone
// would leave the target neither as it was before the run nor as the
// later runs left it.
type LaterRunsError struct {
	Run   ledger.Run
	Later []ledger.Run // newest first
}

func (e *LaterRunsError) Error() string {
	parts := make([]string, len(e.Later))
	for i, r := range e.Later {
		parts[i] = fmt.Sprintf("%s (started %s, %s)", r.ID, r.Started.Format(time.RFC3339), r.Status)
	}
	return fmt.Sprintf("rollback: run %s (started %s) has %d later run(s) of plan %s that built on it: %s; "+
		"undoing it alone would leave the target neither as it was before the run nor as the later runs left it: "+
		"roll them back together, newest first, with --with-later (add --dry-run to list what that undoes)",
		e.Run.ID, e.Run.Started.Format(time.RFC3339), len(e.Later), e.Run.Plan, strings.Join(parts, ", "))
}

// ExitCode makes the CLI exit 6 (an operator is needed).
func (*LaterRunsError) ExitCode() int { return 6 }

// NoHistoryError refuses to undo a run whose own rows the ledger no
// longer holds in full: it was recorded before the ledger kept each run's
// rows (schema 4), and a later run took some of them over.
type NoHistoryError struct {
	Run ledger.Run
}

func (e *NoHistoryError) Error() string {
	return fmt.Sprintf("rollback: run %s (started %s) was recorded by an earlier ferry, and a later run of plan %s "+
		"took its ledger rows over: what it created and updated is no longer known exactly; "+
		"restore the backup taken before it", e.Run.ID, e.Run.Started.Format(time.RFC3339), e.Run.Plan)
}

// ExitCode makes the CLI exit 6 (an operator is needed).
func (*NoHistoryError) ExitCode() int { return 6 }

// Chain returns the runs to undo, in the order to undo them, so that the
// target returns to its state before runID: the later runs of its plan
// that are not rolled back, newest first, then runID itself. Without
// withLater, later runs are refused with *LaterRunsError; a run rolled
// back already with ErrRolledBack; a run whose rows are not all known
// with *NoHistoryError. The newest run alone needs no option.
func Chain(ctx context.Context, st *ledger.Store, runID string, withLater bool) ([]ledger.Run, error) {
	run, err := st.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	if run.Status == ledger.StatusRolledBack {
		return nil, fmt.Errorf("%w: run %s (started %s)", ErrRolledBack, run.ID, run.Started.Format(time.RFC3339))
	}
	later, err := st.LaterRuns(ctx, runID)
	if err != nil {
		return nil, err
	}
	if len(later) > 0 && !withLater {
		return nil, &LaterRunsError{Run: *run, Later: later}
	}
	runs := append(later, *run)
	for _, r := range runs {
		if !r.History {
			return nil, &NoHistoryError{Run: r}
		}
	}
	return runs, nil
}
