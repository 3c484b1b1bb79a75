package open

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
)

func scan(t *testing.T, s source.Source) []*record.Record {
	var out []*record.Record
	require.NoError(t, s.Scan(context.Background(), record.Position{}, func(r *record.Record) error { out = append(out, r); return nil }))
	return out
}

func plan(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "exports"), 0o700))
	for name, body := range map[string]string{"a.csv": "id\n1\n", "b.csv": "id\n2\n", "notes.md": "x"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "exports", name), []byte(body), 0o600))
	}
	return dir
}

func TestCSVPathsResolveAgainstThePlan(t *testing.T) {
	dir := plan(t)
	cases := []struct {
		name string
		spec source.Spec
		sel  source.Select
		want []string
	}{
		{"file", source.Spec{Kind: "csv", Path: "exports"}, source.Select{File: "a.csv"}, []string{"exports/a.csv:2"}},
		{"path only", source.Spec{Kind: "csv", Path: "exports/b.csv"}, source.Select{}, []string{"exports/b.csv:2"}},
		{"directory", source.Spec{Kind: "csv", Path: "exports"}, source.Select{}, []string{"exports/a.csv:2", "exports/b.csv:2"}},
		{"glob", source.Spec{Kind: "csv"}, source.Select{File: "exports/*.csv"}, []string{"exports/a.csv:2", "exports/b.csv:2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Open(context.Background(), "legacy", c.spec, c.sel, dir)
			require.NoError(t, err)
			defer s.Close()
			var got []string
			for _, r := range scan(t, s) {
				got = append(got, r.Pos.String())
			}
			require.Equal(t, c.want, got)
			_, ok := s.(source.Digester)
			require.True(t, ok, "file sources have a digest")
		})
	}
}

func TestErrorsNameTheSource(t *testing.T) {
	dir := plan(t)
	cases := []struct {
		name string
		spec source.Spec
		sel  source.Select
		want string
	}{
		{"unknown kind", source.Spec{Kind: "dbase"}, source.Select{}, `source legacy: kind "dbase" is not supported (csv, xlsx, postgres, mysql, sqlite, odoo)`},
		{"odoo without a url", source.Spec{Kind: "odoo"}, source.Select{Table: "res.partner"}, "source legacy: an odoo source needs url: (the old Odoo's base URL)"},
		{"odoo without a database", source.Spec{Kind: "odoo", URL: "https://old.example.com"}, source.Select{Table: "res.partner"}, "source legacy: an odoo source needs database:"},
		{"odoo without a secret", source.Spec{Kind: "odoo", URL: "https://old.example.com", Database: "old", Login: "admin"}, source.Select{Table: "res.partner"},
			"source legacy: an odoo source needs api_key: {env: NAME} or password: {env: NAME}"},
		{"odoo with a query", odooSpec("https://old.example.com"), source.Select{Query: "select 1"},
			"source legacy: an odoo source reads a model: name it in table: (e.g. table: res.partner), with domain: and fields: if needed"},
		{"odoo with an unset key", odooSpec("https://old.example.com"), source.Select{Table: "res.partner"},
			"source legacy: the API key: secret: environment variable FERRY_OPEN_TEST_UNSET is not set"},
		{"fields of a csv", source.Spec{Kind: "csv", Path: "exports"}, source.Select{File: "a.csv", Fields: []string{"id"}},
			"source legacy: fields: and domain: select from an odoo source; a csv source reads a table:, query: or file:"},
		{"csv without a file", source.Spec{Kind: "csv"}, source.Select{}, "source legacy: a csv source needs a path or a file: in the selection"},
		{"glob without a match", source.Spec{Kind: "csv"}, source.Select{File: "exports/*.tsv"}, "source legacy: no file matches exports/*.tsv"},
		{"xlsx without a file", source.Spec{Kind: "xlsx"}, source.Select{}, "source legacy: an xlsx source needs a path or a file: in the selection"},
		{"postgres without a DSN", source.Spec{Kind: "postgres"}, source.Select{Table: "t"}, "source legacy: a postgres source needs dsn: {env: NAME} or {file: PATH}"},
		{"sqlite without a path", source.Spec{Kind: "sqlite"}, source.Select{Table: "t"}, "source legacy: a sqlite source needs path: (the database file)"},
		{"missing sqlite file", source.Spec{Kind: "sqlite", Path: "old.db"}, source.Select{Table: "t"}, "source legacy: old.db: the database file does not exist (looked for " + filepath.Join(dir, "old.db") + ")"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(context.Background(), "legacy", c.spec, c.sel, dir)
			require.EqualError(t, err, c.want)
		})
	}
	s, err := Open(context.Background(), "legacy", source.Spec{Kind: "csv", Path: "exports"}, source.Select{File: "gone.csv"}, dir)
	require.NoError(t, err, "files open lazily")
	_, err = s.Schema(context.Background())
	require.ErrorContains(t, err, "source legacy: exports/gone.csv: the file does not exist")
}

func odooSpec(url string) source.Spec {
	return source.Spec{Kind: "odoo", URL: url, Database: "old", Login: "admin", APIKey: secret.Ref{Env: "FERRY_OPEN_TEST_UNSET"}}
}

// An odoo source connects with the spec's URL, database, login and key
// (resolved from the environment) and names records without an external
// ID in the plan's namespace.
func TestOdooSource(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{Version: 19})
	require.NoError(t, err)
	defer sb.Close()
	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New(sb.AdminKey())})
	require.NoError(t, err)
	ids, err := c.Create(context.Background(), "res.partner", []map[string]any{{"name": "Zoë"}})
	require.NoError(t, err)

	t.Setenv("FERRY_OPEN_TEST_KEY", sb.AdminKey())
	spec := source.Spec{Kind: "odoo", URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.Ref{Env: "FERRY_OPEN_TEST_KEY"}, Namespace: "acme"}
	s, err := Open(context.Background(), "old", spec, source.Select{Table: "res.partner", Domain: []any{[]any{"id", "=", ids[0]}}, Fields: []string{"name"}}, t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	rows := scan(t, s)
	require.Len(t, rows, 1)
	require.Equal(t, map[string]any{"id": ids[0], "xmlid": fmt.Sprintf("acme.res_partner_%d", ids[0]), "name": "Zoë"}, rows[0].Values)
}

func TestSQLiteRelativeToThePlan(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "old ledger.db"))
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE partner (id integer PRIMARY KEY, name text); INSERT INTO partner VALUES (1, 'Zoë'), (2, 'Bob')")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err := Open(context.Background(), "legacy", source.Spec{Kind: "sqlite", Path: "old ledger.db"}, source.Select{Table: "partner"}, dir)
	require.NoError(t, err)
	defer s.Close()
	rows := scan(t, s)
	require.Len(t, rows, 2)
	require.Equal(t, "Zoë", rows[0].Values["name"])
}
