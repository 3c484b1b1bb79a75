package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// FileName is the ledger's file name in the state directory.
const FileName = "ledger.db"

// closeWait bounds Close's writes of pending rows (a PostgreSQL ledger
// may have become unreachable).
const closeWait = 30 * time.Second

// ErrLocked says another process holds the ledger.
var ErrLocked = &lockedError{}

type lockedError struct{}

func (*lockedError) Error() string {
	return "ledger: another ferry process is using this state directory"
}

// ExitCode makes the CLI exit 6 (an operator is needed).
func (*lockedError) ExitCode() int { return 6 }

// Store is the ledger: SQLite in the state directory, or PostgreSQL.
type Store struct {
	db   *dbHandle
	path string
	lock *os.File
	// pgLock holds the session-level advisory lock that keeps a second
	// process off a PostgreSQL ledger.
	pgLock *sql.Conn
	sent   sent
}

// Open opens (creating it and dir when needed) the ledger in dir, takes
// the process lock and migrates the schema.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	lock, err := acquire(filepath.Join(dir, "ledger.lock"))
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, FileName)
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		release(lock)
		return nil, fmt.Errorf("ledger %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // one writer; serialises the workers' transactions
	s := &Store{db: &dbHandle{DB: db}, path: path, lock: lock}
	if err := s.start(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("ledger %s: %w", path, err)
	}
	return s, nil
}

func dsn(path string) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Add("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// start migrates the schema and writes the pending rows of the batches a
// stopped process had in flight.
func (s *Store) start(ctx context.Context) error {
	if err := s.migrate(ctx); err != nil {
		return err
	}
	return s.settleStored(ctx)
}

// Path is the ledger file's path.
func (s *Store) Path() string { return s.path }

// Close writes the pending rows still unwritten (within closeWait; what
// it cannot write, the next Open does), closes the database and releases
// the lock.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	settled := s.settle(ctx)
	cancel()
	if s.pgLock != nil {
		// unlock explicitly: the server ends a closed session a moment
		// later, and a process opening the ledger right after must not
		// find the lock still held
		_, _ = s.pgLock.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", int64(pgLockKey))
		_ = s.pgLock.Close()
	}
	err := s.db.Close()
	release(s.lock)
	return errors.Join(settled, err)
}

// tx runs fn in one transaction.
func (s *Store) tx(ctx context.Context, fn func(*tx) error) error {
	t, err := s.db.begin(ctx)
	if err != nil {
		return fmt.Errorf("ledger: begin: %w", err)
	}
	if err := fn(t); err != nil {
		return errors.Join(err, t.Rollback())
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("ledger: commit: %w", err)
	}
	return nil
}
