package ledger

import (
	"context"
	"embed"
	"fmt"
	"sort"
)

//go:embed migrations/*.sql migrations_pg/*.sql
var migrations embed.FS

// SchemaVersion is the schema version this build writes.
const SchemaVersion = 7

// migrate applies the embedded migrations newer than the stored schema
// version, each in its own transaction together with the version bump.
// SQLite keeps the version in PRAGMA user_version, PostgreSQL in the
// ferry_ledger table; each has its own migrations (the same steps in its
// own types).
func (s *Store) migrate(ctx context.Context) error { return s.migrateTo(ctx, SchemaVersion) }

// migrateTo applies the migrations up to version to (tests build a ledger
// of an earlier version with it).
func (s *Store) migrateTo(ctx context.Context, to int) error {
	have, err := s.version(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > SchemaVersion {
		return fmt.Errorf("schema version %d is newer than this ferry (%d): upgrade ferry", have, SchemaVersion)
	}
	dir := "migrations"
	if s.db.pg {
		dir = "migrations_pg"
	}
	names, err := migrations.ReadDir(dir)
	if err != nil {
		return err
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Name() < names[j].Name() })
	for i, n := range names {
		v := i + 1
		if v <= have || v > to {
			continue
		}
		b, err := migrations.ReadFile(dir + "/" + n.Name())
		if err != nil {
			return err
		}
		err = s.tx(ctx, func(t *tx) error {
			if _, err := t.ExecContext(ctx, string(b)); err != nil {
				return fmt.Errorf("migration %s: %w", n.Name(), err)
			}
			return s.setVersion(ctx, t, v)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) version(ctx context.Context) (int, error) {
	var v int
	if !s.db.pg {
		err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
		return v, err
	}
	if _, err := s.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS ferry_ledger (schema_version INTEGER NOT NULL)"); err != nil {
		return 0, err
	}
	err := s.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(schema_version), 0) FROM ferry_ledger").Scan(&v)
	return v, err
}

func (s *Store) setVersion(ctx context.Context, t *tx, v int) error {
	if !s.db.pg {
		_, err := t.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
		return err
	}
	if _, err := t.ExecContext(ctx, "DELETE FROM ferry_ledger"); err != nil {
		return err
	}
	_, err := t.ExecContext(ctx, "INSERT INTO ferry_ledger (schema_version) VALUES (?)", v)
	return err
}
