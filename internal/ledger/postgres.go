package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/ferry-migrate/ferry/internal/secret"
)

// pgLockKey is the advisory lock a Ferry process holds on a PostgreSQL
// ledger ("ferryldg" as an integer).
const pgLockKey = 0x6665727279_6c64

// OpenURL opens the ledger named by state: "" (or a path) is the SQLite
// ledger in dir; postgres://… is a PostgreSQL database (its own, or a
// schema given with search_path in the URL) shared by every machine that
// runs the plan — one process at a time, held by an advisory lock. The
// password comes from PGPASSWORD or ~/.pgpass, never from the URL (it
// would show in process lists and logs).
func OpenURL(ctx context.Context, dir, state string) (*Store, error) {
	if !strings.HasPrefix(state, "postgres://") && !strings.HasPrefix(state, "postgresql://") {
		return Open(ctx, dir)
	}
	u, err := url.Parse(state)
	if err != nil {
		return nil, fmt.Errorf("ledger: --state is not a URL: %s", secret.RedactURL(state))
	}
	if _, has := u.User.Password(); has {
		return nil, errors.New("ledger: put no password in the --state URL: set PGPASSWORD or use ~/.pgpass")
	}
	name := u.Redacted()
	d, err := sql.Open("pgx", state)
	if err != nil {
		return nil, fmt.Errorf("ledger %s: %w", name, err)
	}
	s := &Store{db: &dbHandle{DB: d, pg: true}, path: name}
	if err := s.lockPG(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	if err := s.start(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("ledger %s: %w", name, err)
	}
	return s, nil
}

// lockPG takes the advisory lock on a connection kept for the Store's
// life; PostgreSQL releases it when the session ends, so a killed process
// leaves no stale lock.
func (s *Store) lockPG(ctx context.Context) error {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("ledger %s: %w", s.path, err)
	}
	var ok bool
	if err := c.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", int64(pgLockKey)).Scan(&ok); err != nil {
		_ = c.Close()
		return fmt.Errorf("ledger %s: %w", s.path, err)
	}
	if !ok {
		_ = c.Close()
		return ErrLocked
	}
	s.pgLock = c
	return nil
}
