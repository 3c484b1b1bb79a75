package ledger

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"sort"
)

//go:embed migrations/*.sql
var migrations embed.FS

// SchemaVersion is the schema version this build writes.
const SchemaVersion = 3

// migrate applies the embedded migrations newer than PRAGMA user_version,
// each in its own transaction together with the version bump.
func (s *Store) migrate(ctx context.Context) error {
	var have int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > SchemaVersion {
		return fmt.Errorf("schema version %d is newer than this ferry (%d): upgrade ferry", have, SchemaVersion)
	}
	names, err := migrations.ReadDir("migrations")
	if err != nil {
		return err
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Name() < names[j].Name() })
	for i, n := range names {
		v := i + 1
		if v <= have {
			continue
		}
		b, err := migrations.ReadFile("migrations/" + n.Name())
		if err != nil {
			return err
		}
		err = s.tx(ctx, func(t *sql.Tx) error {
			if _, err := t.ExecContext(ctx, string(b)); err != nil {
				return fmt.Errorf("migration %s: %w", n.Name(), err)
			}
			_, err := t.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
