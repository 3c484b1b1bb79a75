package sqldb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// server is one database the suite runs against.
type server struct {
	kind, driver, dsn string
	ddl               string
}

func servers(t *testing.T) []server {
	sqlite := "file:" + filepath.Join(t.TempDir(), "legacy.db")
	return []server{
		{"postgres", "pgx", testutil.PostgresURL(), "CREATE TABLE %s (id integer PRIMARY KEY, name text, amount numeric(12,2), active boolean, born date)"},
		{"mysql", "mysql", testutil.MariaDBDSN(), "CREATE TABLE %s (id integer PRIMARY KEY, name varchar(50), amount decimal(12,2), active boolean, born date)"},
		{"sqlite", "sqlite", sqlite, "CREATE TABLE %s (id integer PRIMARY KEY, name text, amount numeric, active boolean, born date)"},
	}
}

// fixture creates a uniquely named table with 7 rows.
func fixture(t *testing.T, s server) string {
	db, err := testutil.Ping(s.driver, s.dsn)
	if err != nil {
		testutil.Unavailable(t, s.kind, err)
		return ""
	}
	table := testutil.UniqueName("ferry_src")
	_, err = db.Exec(fmt.Sprintf(s.ddl, table))
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = db.Exec("DROP TABLE " + table); db.Close() })
	for i := 1; i <= 7; i++ {
		q := fmt.Sprintf("INSERT INTO %s VALUES (%d, 'name %d', %d.05, %t, '2020-01-0%d')", table, i*10, i, i, i%2 == 0, i)
		_, err := db.Exec(q)
		require.NoError(t, err)
	}
	return table
}

func TestConformance(t *testing.T) {
	for _, s := range servers(t) {
		t.Run(s.kind, func(t *testing.T) {
			table := fixture(t, s)
			want := []string{"10", "20", "30", "40", "50", "60", "70"}
			cols := []string{"id", "name", "amount", "active", "born"}
			open := func(t *testing.T) source.Source {
				src, err := Open(context.Background(), "legacy", s.kind, secret.New(s.dsn), table, "")
				require.NoError(t, err)
				src.page = 3 // several pages, so keyset resumption is exercised
				return src
			}
			sourcetest.Run(t, open, cols, "id", want)
			query := func(t *testing.T) source.Source {
				src, err := Open(context.Background(), "legacy", s.kind, secret.New(s.dsn), "", "SELECT id, name FROM "+table+" ORDER BY id DESC")
				require.NoError(t, err)
				return src
			}
			sourcetest.Run(t, query, []string{"id", "name"}, "id", []string{"70", "60", "50", "40", "30", "20", "10"})
		})
	}
}

func TestTypedValues(t *testing.T) {
	for _, s := range servers(t) {
		t.Run(s.kind, func(t *testing.T) {
			table := fixture(t, s)
			src, err := Open(context.Background(), "legacy", s.kind, secret.New(s.dsn), table, "")
			require.NoError(t, err)
			defer src.Close()
			var first *record.Record
			require.NoError(t, src.Scan(context.Background(), record.Position{}, func(r *record.Record) error {
				if first == nil {
					first = r
				}
				return nil
			}))
			require.Equal(t, int64(10), first.Values["id"])
			require.Equal(t, "name 1", first.Values["name"])
			require.Contains(t, []any{"1.05", 1.05}, first.Values["amount"], "decimals stay exact (or the float SQLite stores)")
			require.NotNil(t, first.Values["born"])
			if s.kind != "sqlite" {
				_, isTime := first.Values["born"].(time.Time)
				require.True(t, isTime, "%T", first.Values["born"])
			}
		})
	}
}

func TestErrorsNameTheSourceNotTheDSN(t *testing.T) {
	_, err := Open(context.Background(), "legacy", "postgres", secret.New("postgres://ferry:hunter2@127.0.0.1:1/x"), "t", "")
	require.ErrorContains(t, err, "source legacy: cannot connect to the postgres database")
	require.NotContains(t, err.Error(), "hunter2")
	_, err = Open(context.Background(), "legacy", "postgres", secret.New("postgres://ferry:hunter2@db.example.com/x?sslmode=disable"), "t", "")
	require.ErrorContains(t, err, "refusing an unencrypted connection to db.example.com")
	require.NotContains(t, err.Error(), "hunter2")
	_, err = Open(context.Background(), "legacy", "mysql", secret.New("u:hunter2@tcp(db.example.com:3306)/x"), "t", "")
	require.ErrorContains(t, err, "add tls=true")
	for _, s := range servers(t) {
		if _, err := testutil.Ping(s.driver, s.dsn); err != nil {
			continue
		}
		_, err := Open(context.Background(), "legacy", s.kind, secret.New(s.dsn), "no_such_table_here", "")
		require.ErrorContains(t, err, "table no_such_table_here", s.kind)
	}
}
