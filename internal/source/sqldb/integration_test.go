package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// server is one database the tests run against.
type server struct {
	kind, driver, dsn string
	text              string // the type of a short text column
}

func servers(t *testing.T) []server {
	return []server{
		{"postgres", "pgx", testutil.PostgresURL(), "text"},
		{"mysql", "mysql", testutil.MariaDBDSN(), "varchar(50)"},
		{"sqlite", "sqlite", "file:" + filepath.Join(t.TempDir(), "legacy.db"), "text"},
	}
}

// each runs fn against every server, each in its own subtest; a server
// that is down skips (or fails under FERRY_INTEGRATION=1).
func each(t *testing.T, fn func(t *testing.T, s server, db *sql.DB)) {
	testutil.Integration(t)
	for _, s := range servers(t) {
		t.Run(s.kind, func(t *testing.T) {
			db, err := testutil.Ping(s.driver, s.dsn)
			if err != nil {
				testutil.Unavailable(t, s.kind, err)
				return
			}
			t.Cleanup(func() { db.Close() })
			fn(t, s, db)
		})
	}
}

// table creates a uniquely named table from columns (with %s for the
// text type) and rows of SQL literals; it is dropped after the test.
func table(t *testing.T, s server, db *sql.DB, columns string, rows ...string) string {
	name := testutil.UniqueName("ferry_src")
	_, err := db.Exec(fmt.Sprintf("CREATE TABLE %s (%s)", name, strings.ReplaceAll(columns, "%s", s.text)))
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = db.Exec("DROP TABLE " + name) })
	for _, r := range rows {
		_, err := db.Exec(fmt.Sprintf("INSERT INTO %s VALUES (%s)", name, r))
		require.NoError(t, err)
	}
	return name
}

func openTable(t *testing.T, s server, name string, page int) *Source {
	src, err := Open(context.Background(), "legacy", s.kind, secret.New(s.dsn), name, "")
	require.NoError(t, err)
	src.page = page
	return src
}

func day(d int) time.Time { return time.Date(2020, 1, d, 0, 0, 0, 0, time.UTC) }

func TestIntegrationConformance(t *testing.T) {
	each(t, func(t *testing.T, s server, db *sql.DB) {
		var rows []string
		var want [][]any
		for i := 1; i <= 7; i++ {
			rows = append(rows, fmt.Sprintf("%d, 'name %d', %d.05, %t, '2020-01-0%d'", i*10, i, i, i%2 == 0, i))
			want = append(want, []any{int64(i * 10), fmt.Sprintf("name %d", i), fmt.Sprintf("%d.05", i), i%2 == 0, day(i)})
		}
		name := table(t, s, db, "id integer PRIMARY KEY, name %s, amount decimal(12,2), active boolean, born date", rows...)
		t.Run("table in pages of 3", func(t *testing.T) {
			sourcetest.Run(t, func(t *testing.T) source.Source { return openTable(t, s, name, 3) }, want)
		})
		t.Run("table in one page", func(t *testing.T) {
			sourcetest.Run(t, func(t *testing.T) source.Source { return openTable(t, s, name, 100) }, want)
		})
		t.Run("query in its own order", func(t *testing.T) {
			var rev [][]any
			for i := len(want) - 1; i >= 0; i-- {
				rev = append(rev, want[i][:2])
			}
			sourcetest.Run(t, func(t *testing.T) source.Source {
				src, err := Open(context.Background(), "legacy", s.kind, secret.New(s.dsn), "", "SELECT id, name FROM "+name+" ORDER BY id DESC;")
				require.NoError(t, err)
				return src
			}, rev)
		})
	})
}

// TestIntegrationCompositeKey resumes on a key of text, time and an
// integer beyond 2^53, where a float or a badly compared time would skip
// or repeat rows.
func TestIntegrationCompositeKey(t *testing.T) {
	each(t, func(t *testing.T, s server, db *sql.DB) {
		const big = int64(9007199254740993)
		var rows []string
		var want [][]any
		for _, region := range []string{"east", "west"} {
			for d := 1; d <= 2; d++ {
				for k := int64(0); k < 2; k++ {
					rows = append(rows, fmt.Sprintf("'%s', '2020-01-0%d 10:00:00', %d, 'x'", region, d, big+k))
					want = append(want, []any{region, day(d).Add(10 * time.Hour), big + k, "x"})
				}
			}
		}
		ts := map[string]string{"postgres": "timestamp", "mysql": "datetime", "sqlite": "datetime"}[s.kind]
		name := table(t, s, db, "region %s, at "+ts+", n bigint, note %s, PRIMARY KEY (region, at, n)", rows...)
		sourcetest.Run(t, func(t *testing.T) source.Source { return openTable(t, s, name, 3) }, want)
	})
}

func TestIntegrationTypedValues(t *testing.T) {
	each(t, func(t *testing.T, s server, db *sql.DB) {
		name := table(t, s, db, "id integer PRIMARY KEY, f double precision, d decimal(20,6), b boolean, ts timestamp, raw "+
			map[string]string{"postgres": "bytea", "mysql": "varbinary(10)", "sqlite": "blob"}[s.kind]+", note %s",
			"1, 2.5, 12345678901234.500000, true, '2021-03-04 05:06:07', "+
				map[string]string{"postgres": `'\x0102'`, "mysql": "x'0102'", "sqlite": "x'0102'"}[s.kind]+", NULL")
		src := openTable(t, s, name, 10)
		defer src.Close()
		sch, err := src.Schema(context.Background())
		require.NoError(t, err)
		require.Equal(t, []record.Column{{Name: "id", Type: record.TypeInt}, {Name: "f", Type: record.TypeFloat},
			{Name: "d", Type: record.TypeDecimal}, {Name: "b", Type: record.TypeBool}, {Name: "ts", Type: record.TypeDateTime},
			{Name: "raw", Type: record.TypeBytes}, {Name: "note", Type: record.TypeString}}, sch.Columns)
		var got *record.Record
		require.NoError(t, src.Scan(context.Background(), record.Position{}, func(r *record.Record) error { got = r; return nil }))
		wantD := "12345678901234.500000"
		if s.kind == "sqlite" {
			wantD = "12345678901234.5" // SQLite keeps a binary number
		}
		require.Equal(t, map[string]any{"id": int64(1), "f": 2.5, "d": wantD, "b": true,
			"ts": time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC), "raw": []byte{1, 2}, "note": nil}, got.Values)
		require.Empty(t, got.Problem)
		require.Equal(t, record.Position{Source: "legacy", Row: 1, Cursor: "[1]"}, got.Pos)
	})
}

// TestIntegrationUndecodableValue: SQLite lets a column hold any value;
// one that does not fit the declared type is kept and flagged.
func TestIntegrationUndecodableValue(t *testing.T) {
	s := servers(t)[2]
	db, err := testutil.Ping(s.driver, s.dsn)
	require.NoError(t, err)
	defer db.Close()
	name := table(t, s, db, "id integer PRIMARY KEY, born date, qty integer", "1, 'garbage', 'many'", "2, '2020-01-02', 3")
	src := openTable(t, s, name, 10)
	defer src.Close()
	var rows []*record.Record
	require.NoError(t, src.Scan(context.Background(), record.Position{}, func(r *record.Record) error { rows = append(rows, r); return nil }))
	require.Len(t, rows, 2)
	require.Equal(t, `column born: "garbage" is not a valid date; column qty: "many" is not a valid int`, rows[0].Problem)
	require.Equal(t, "garbage", rows[0].Values["born"])
	require.Empty(t, rows[1].Problem)
}

func TestIntegrationErrors(t *testing.T) {
	each(t, func(t *testing.T, s server, db *sql.DB) {
		ctx := context.Background()
		noKey := table(t, s, db, "a integer, b %s")
		withKey := table(t, s, db, "id integer PRIMARY KEY, b %s", "1, 'x'")
		dup := `: two columns are named "id"`
		if s.kind == "mysql" {
			dup = ": Error 1060 (42S21): Duplicate column name 'id'"
		}
		cases := []struct{ name, table, query, want string }{
			{"unknown table", "no_such_table_here", "", "source legacy: table no_such_table_here: the table does not exist or cannot be read"},
			{"no primary key", noKey, "", "source legacy: table " + noKey + ": the table has no primary key: read it with a query that orders its rows"},
			{"duplicate column names", "", "SELECT id, id FROM " + withKey, `source legacy: query "SELECT id, id FROM ` + withKey + `"` + dup},
			{"bad query", "", "SELEC nothing", `source legacy: query "SELEC nothing": `},
			{"long query", "", "SELECT 1 AS a, " + strings.Repeat("2, ", 30) + "FROM nowhere", `source legacy: query "SELECT 1 AS a, ` + strings.Repeat("2, ", 14) + `2,…": `},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				src, err := Open(ctx, "legacy", s.kind, secret.New(s.dsn), c.table, c.query)
				if err == nil {
					_, err = src.Schema(ctx)
					src.Close()
				}
				require.ErrorContains(t, err, c.want)
			})
		}
	})
}

func TestIntegrationConnectErrors(t *testing.T) {
	testutil.Integration(t)
	ctx := context.Background()
	cases := []struct{ name, kind, dsn, want string }{
		{"postgres unreachable", "postgres", "postgres://ferry:hunter2@127.0.0.1:1/test", "cannot reach the postgres server named by the DSN of source legacy"},
		{"postgres bad credentials", "postgres", "postgres://no_such_role:hunter2@127.0.0.1:5432/test?sslmode=disable", "the postgres server refused the credentials in the DSN of source legacy"},
		{"postgres unknown database", "postgres", "postgres://postgres:hunter2@127.0.0.1:5432/no_such_db_here?sslmode=disable", "the database named by the DSN of source legacy does not exist on the postgres server"},
		{"mysql unreachable", "mysql", "root:hunter2@tcp(127.0.0.1:1)/test", "cannot reach the mysql server named by the DSN of source legacy"},
		{"mysql bad credentials", "mysql", "no_such_user:hunter2@tcp(127.0.0.1:3306)/test", "the mysql server refused the credentials in the DSN of source legacy"},
		{"mysql unknown database", "mysql", "root@tcp(127.0.0.1:3306)/no_such_db_here", "the database named by the DSN of source legacy does not exist on the mysql server"},
		{"sqlite missing file", "sqlite", "file:" + filepath.Join(t.TempDir(), "none.db") + "?mode=ro", "cannot open the SQLite database of source legacy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.kind != "sqlite" && !strings.Contains(c.name, "unreachable") {
				s := map[string]server{"postgres": servers(t)[0], "mysql": servers(t)[1]}[c.kind]
				if _, err := testutil.Ping(s.driver, s.dsn); err != nil {
					testutil.Unavailable(t, c.kind, err)
					return
				}
			}
			_, err := Open(ctx, "legacy", c.kind, secret.New(c.dsn), "customers", "")
			require.ErrorContains(t, err, "source legacy: table customers: "+c.want)
			require.NotContains(t, err.Error(), "hunter2")
		})
	}
}

// TestIntegrationReadOnly: a query that would write or lock is refused,
// even when the DSN allows writing (SQLite without mode=ro).
func TestIntegrationReadOnly(t *testing.T) {
	each(t, func(t *testing.T, s server, db *sql.DB) {
		name := table(t, s, db, "id integer PRIMARY KEY", "1")
		q := map[string]string{
			"postgres": "SELECT id FROM " + name + " FOR UPDATE",
			"mysql":    "SELECT id FROM " + name + " FOR UPDATE",
			"sqlite":   "DELETE FROM " + name + " RETURNING id",
		}[s.kind]
		want := map[string]string{
			"postgres": "in a read-only transaction",
			"mysql":    "Cannot execute statement in a READ ONLY transaction",
			"sqlite":   "attempt to write a readonly database",
		}[s.kind]
		src, err := Open(context.Background(), "legacy", s.kind, secret.New(s.dsn), "", q)
		if err == nil {
			err = src.Scan(context.Background(), record.Position{}, func(*record.Record) error { return nil })
			src.Close()
		}
		require.ErrorContains(t, err, want)
		var n int
		require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM "+name).Scan(&n))
		require.Equal(t, 1, n, "the row is still there")
	})
}

// TestIntegrationResumeByRow: a position without a cursor (a row count)
// resumes after that many rows in key order, across pages.
func TestIntegrationResumeByRow(t *testing.T) {
	each(t, func(t *testing.T, s server, db *sql.DB) {
		name := table(t, s, db, "id integer PRIMARY KEY", "5", "1", "4", "2", "3")
		src := openTable(t, s, name, 2)
		defer src.Close()
		var got []string
		require.NoError(t, src.Scan(context.Background(), record.Position{Source: "legacy", Row: 3}, func(r *record.Record) error {
			got = append(got, r.Pos.String()+" "+r.Pos.Cursor)
			return nil
		}))
		require.Equal(t, []string{"legacy row 4 [4]", "legacy row 5 [5]"}, got)
	})
}

func TestIntegrationUseAfterClose(t *testing.T) {
	each(t, func(t *testing.T, s server, db *sql.DB) {
		name := table(t, s, db, "id integer PRIMARY KEY", "1")
		src := openTable(t, s, name, 10)
		require.NoError(t, src.Close())
		err := src.Scan(context.Background(), record.Position{}, func(*record.Record) error { return nil })
		require.ErrorIs(t, err, ErrClosed)
	})
}

// BenchmarkScanSQLite reads a 20,000-row table in keyset pages.
func BenchmarkScanSQLite(b *testing.B) {
	dsn := "file:" + filepath.Join(b.TempDir(), "bench.db")
	db, err := testutil.Ping("sqlite", dsn)
	require.NoError(b, err)
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE t (id integer PRIMARY KEY, name text, amount numeric, at datetime);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
		INSERT INTO t SELECT i, 'name ' || i, i * 1.5, '2020-01-01 10:00:00' FROM n`)
	require.NoError(b, err)
	src, err := Open(context.Background(), "bench", "sqlite", secret.New(dsn+"?mode=ro"), "t", "")
	require.NoError(b, err)
	defer src.Close()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		require.NoError(b, src.Scan(context.Background(), record.Position{}, func(*record.Record) error { n++; return nil }))
		require.Equal(b, 20000, n)
	}
}
