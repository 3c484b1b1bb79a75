package pipeline_test

import (
	"context"
	"crypto/sha1" //nolint:gosec // Odoo's checksum
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
	"github.com/ferry-migrate/ferry/internal/testutil"
	"github.com/ferry-migrate/ferry/internal/validate"
)

const attachPlan = `version: 1
name: t
namespace: acme_f
target: {url: "http://x", api_key: {env: K}}
load: {max_file_size: 10B}
sources:
  s: {kind: csv, path: .}
  scans: {kind: files, path: scans}
entities:
  - name: partners
    model: res.partner
    from: {source: s, file: p.csv}
    key: code
    fields:
      name: row.name
  - name: docs
    model: ir.attachment
    from: {source: s, file: d.csv}
    files: scans
    key: file
    fields:
      name: row.file
      res_model: '"res.partner"'
      res_id: ref("partners", row.partner)
      datas: file(row.file)
      mimetype: mimetype(row.file)
`

func preparePlan(t *testing.T, text string, files map[string]string) (*pipeline.Pipeline, error) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scans"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plan.yaml"), []byte(text), 0o644))
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	p, ds, err := plan.Load(filepath.Join(dir, "plan.yaml"))
	require.NoError(t, err)
	require.Empty(t, ds)
	raw, err := orm.RecordedSchema(18)
	require.NoError(t, err)
	schema, _, err := validate.ParseSchema(raw, "odoo18")
	require.NoError(t, err)
	return pipeline.Prepare(context.Background(), p, pipeline.Options{Schema: schema})
}

func streamAll(t *testing.T, pl *pipeline.Pipeline, entity string) []pipeline.Outcome {
	t.Helper()
	var out []pipeline.Outcome
	for _, e := range pl.Entities() {
		err := pl.Stream(context.Background(), e, func(o pipeline.Outcome) error {
			if e.Name == entity {
				out = append(out, o)
			}
			return nil
		})
		require.NoError(t, err)
	}
	return out
}

// A row's file is read for its size and SHA-1 (never held); a missing,
// too large or escaping file quarantines the row with MAP219 naming it;
// res_id is a reference by database id to the partner row (loaded first),
// and the attachment's mimetype is written though fields_get says
// readonly.
func TestFilesAreHashedAndCheckedPerRow(t *testing.T) {
	pl, err := preparePlan(t, attachPlan, map[string]string{
		"p.csv":         "code,name\nP1,Ada\n",
		"d.csv":         "file,partner\na.pdf,P1\nbig.pdf,P1\ngone.pdf,P1\n../p.csv,P1\nb.txt,P9\n",
		"scans/a.pdf":   "%PDF-1",
		"scans/big.pdf": "%PDF-1 with more than ten bytes",
		"scans/b.txt":   "",
	})
	require.NoError(t, err)
	defer pl.Close()
	require.Equal(t, []string{"partners", "docs"}, []string{pl.Entities()[0].Name, pl.Entities()[1].Name}, "res_id's entity loads first")
	out := streamAll(t, pl, "docs")
	require.Len(t, out, 5)

	require.Equal(t, pipeline.Ready, out[0].State, "%v", out[0].Findings)
	require.Equal(t, &record.File{Name: "a.pdf", Size: 6, SHA1: "4c18e2ec1d1e6d9e53f57499a66aeb691d687370"}, out[0].Row.Values["datas"])
	require.Equal(t, record.IDRef{Model: "res.partner", ExternalID: "acme_f.partners_P1"}, out[0].Row.Values["res_id"])
	require.Equal(t, "application/pdf", out[0].Row.Values["mimetype"])

	for i, want := range []string{
		"file scans/big.pdf is 31 B, over the 10 B limit",
		"file scans/gone.pdf does not exist",
		`file "../p.csv" is outside the files directory`,
	} {
		o := out[i+1]
		require.Equal(t, pipeline.Quarantined, o.State)
		require.Len(t, o.Findings, 1, "%v", o.Findings)
		require.Equal(t, pipeline.CodeFile, o.Findings[0].Code)
		require.Contains(t, o.Findings[0].Msg, want)
		require.Equal(t, "datas", o.Findings[0].Field)
	}
	require.Equal(t, pipeline.Quarantined, out[4].State)
	require.Equal(t, "VAL314", out[4].Findings[0].Code, "a reference to a row the plan does not load")
}

// res_model must name the model of the entity res_id references.
func TestResIDNeedsTheReferencedModel(t *testing.T) {
	pl, err := preparePlan(t, strings.Replace(attachPlan, `'"res.partner"'`, `'"account.move"'`, 1), map[string]string{
		"p.csv": "code,name\nP1,Ada\n", "d.csv": "file,partner\na.pdf,P1\n", "scans/a.pdf": "x",
	})
	require.NoError(t, err)
	defer pl.Close()
	out := streamAll(t, pl, "docs")
	require.Equal(t, pipeline.Quarantined, out[0].State)
	require.Equal(t, "VAL306", out[0].Findings[0].Code)
	require.Contains(t, out[0].Findings[0].Msg, `res_id references partners P1, a record of res.partner, but res_model is "account.move"`)
}

// The bytes of a BLOB column are a file too: hashed, size-checked, and
// kept in the value for the loader.
func TestFilesFromABlobColumn(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "old.db"))
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE doc (id integer PRIMARY KEY, name text, body blob);
		INSERT INTO doc VALUES (1, 'a.txt', X'616263'), (2, 'b.bin', X'0102030405060708090A0B0C')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	text := strings.NewReplacer("  s: {kind: csv, path: .}\n", "  s: {kind: csv, path: .}\n  old: {kind: sqlite, path: "+filepath.Join(dir, "old.db")+"}\n",
		"from: {source: s, file: d.csv}", "from: {source: old, table: doc}", "    files: scans\n", "",
		"key: file", "key: id", "file(row.file)", "file(row.body)", "mimetype(row.file)", "mimetype(row.name)", "name: row.file", "name: row.name",
		`res_id: ref("partners", row.partner)`, `res_id: ref("partners", "P1")`).Replace(attachPlan)
	pl, err := preparePlan(t, text, map[string]string{"p.csv": "code,name\nP1,Ada\n"})
	require.NoError(t, err)
	defer pl.Close()
	out := streamAll(t, pl, "docs")
	require.Len(t, out, 2)
	require.Equal(t, pipeline.Ready, out[0].State, "%v", out[0].Findings)
	require.Equal(t, &record.File{Size: 3, SHA1: "a9993e364706816aba3e25717850c26c9cd0d89d", Data: []byte("abc")}, out[0].Row.Values["datas"])
	require.Equal(t, "text/plain", out[0].Row.Values["mimetype"])
	require.Equal(t, pipeline.Quarantined, out[1].State)
	require.Contains(t, out[1].Findings[0].Msg, "the column's file is 12 B, over the 10 B limit")
}

// A bytea column of PostgreSQL and a BLOB of MariaDB are files too.
func TestIntegrationFilesFromDatabaseColumns(t *testing.T) {
	testutil.Integration(t)
	for _, s := range []struct{ kind, driver, dsn, blob string }{
		{"postgres", "pgx", testutil.PostgresURL(), "bytea"},
		{"mysql", "mysql", testutil.MariaDBDSN(), "longblob"},
	} {
		t.Run(s.kind, func(t *testing.T) {
			db, err := testutil.Ping(s.driver, s.dsn)
			if err != nil {
				testutil.Unavailable(t, s.kind, err)
			}
			defer db.Close()
			table := testutil.UniqueName("ferry_files")
			_, err = db.Exec(fmt.Sprintf("CREATE TABLE %s (id integer PRIMARY KEY, name varchar(50), body %s)", table, s.blob))
			require.NoError(t, err)
			t.Cleanup(func() { _, _ = db.Exec("DROP TABLE " + table) })
			_, err = db.Exec(fmt.Sprintf("INSERT INTO %s VALUES (1, 'a.txt', ?), (2, 'b.pdf', NULL)", table), []byte("abc\x00\xff"))
			if err != nil { // PostgreSQL's placeholders
				_, err = db.Exec(fmt.Sprintf("INSERT INTO %s VALUES (1, 'a.txt', $1), (2, 'b.pdf', NULL)", table), []byte("abc\x00\xff"))
			}
			require.NoError(t, err)
			t.Setenv("FERRY_TEST_FILES_DSN", s.dsn)
			text := strings.NewReplacer("  s: {kind: csv, path: .}\n", "  s: {kind: csv, path: .}\n  old: {kind: "+s.kind+", dsn: {env: FERRY_TEST_FILES_DSN}}\n",
				"from: {source: s, file: d.csv}", "from: {source: old, table: "+table+"}", "    files: scans\n", "",
				"key: file", "key: id", "file(row.file)", "file(row.body)", "mimetype(row.file)", "mimetype(row.name)", "name: row.file", "name: row.name",
				`res_id: ref("partners", row.partner)`, `res_id: ref("partners", "P1")`).Replace(attachPlan)
			pl, err := preparePlan(t, text, map[string]string{"p.csv": "code,name\nP1,Ada\n"})
			require.NoError(t, err)
			defer pl.Close()
			out := streamAll(t, pl, "docs")
			require.Len(t, out, 2)
			require.Equal(t, pipeline.Ready, out[0].State, "%v", out[0].Findings)
			require.Equal(t, &record.File{Size: 5, SHA1: sha1Hex("abc\x00\xff"), Data: []byte("abc\x00\xff")}, out[0].Row.Values["datas"])
			require.Equal(t, pipeline.Ready, out[1].State, "%v", out[1].Findings)
			require.Nil(t, out[1].Row.Values["datas"], "a NULL column is no file")
		})
	}
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s)) //nolint:gosec // Odoo's checksum
	return hex.EncodeToString(sum[:])
}
