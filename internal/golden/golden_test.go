package golden

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/cli"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite testdata/<case>/expected/ with what validate produces now")

// casesDir holds one directory per case.
const casesDir = "testdata"

// maxInline is the largest output file kept as it is in expected/; larger
// ones are kept as <name>.sha256.
const maxInline = 64 << 10

// maskKey is FERRY_MASK_KEY for every case: masks are keyed, so the same
// key gives the same fakes run after run.
const maskKey = "golden-cases-mask-key-0001"

// knownBugs lists cases whose expected/ is what Ferry should produce but
// does not yet; they are skipped with the bug's description. Remove a
// case from here when its bug is fixed.
var knownBugs = map[string]string{}

// goldenCase is one directory of testdata.
type goldenCase struct {
	name string
	dir  string
}

// services lists what the case needs besides files: postgres, mysql,
// sftp (external services), sqlite and odoo (built here).
func (c goldenCase) services() []string {
	var out []string
	for _, s := range []struct{ name, file string }{
		{"postgres", "postgres.sql"}, {"mysql", "mysql.sql"}, {"sftp", "sftp"}, {"sqlite", "sqlite.sql"}, {"odoo", "odoo.json"},
	} {
		if _, err := os.Stat(filepath.Join(c.dir, s.file)); err == nil {
			out = append(out, s.name)
		}
	}
	return out
}

// rehearsal reports whether the case is a rehearse_* case: `ferry run
// --rehearse` into a sandbox built from the schema, for findings only a
// target gives (lookups resolved, Odoo's refusals). Only its quarantine
// files and exit code are kept (its summary and stderr hold run IDs and
// timings).
func (c goldenCase) rehearsal() bool { return strings.HasPrefix(c.name, "rehearse_") }

// external reports whether the case needs a service this process does
// not start itself.
func (c goldenCase) external() bool {
	for _, s := range c.services() {
		if s == "postgres" || s == "mysql" || s == "sftp" {
			return true
		}
	}
	return false
}

func cases(t *testing.T) []goldenCase {
	entries, err := os.ReadDir(casesDir)
	require.NoError(t, err)
	var out []goldenCase
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, goldenCase{name: e.Name(), dir: filepath.Join(casesDir, e.Name())})
		}
	}
	require.NotEmpty(t, out)
	return out
}

// TestGolden runs every case that needs no external service.
func TestGolden(t *testing.T) {
	for _, c := range cases(t) {
		if c.external() {
			continue
		}
		t.Run(c.name, func(t *testing.T) { checkCase(t, c) })
	}
}

// TestIntegrationGolden runs the cases that read PostgreSQL, MariaDB or
// files on an SFTP server.
func TestIntegrationGolden(t *testing.T) {
	testutil.Integration(t)
	for _, c := range cases(t) {
		if !c.external() {
			continue
		}
		t.Run(c.name, func(t *testing.T) { checkCase(t, c) })
	}
}

func checkCase(t *testing.T, c goldenCase) {
	if bug, ok := knownBugs[c.name]; ok {
		t.Skip("known bug: " + bug)
	}
	got := runCase(t, c)
	want := filepath.Join(c.dir, "expected")
	if *update {
		writeExpected(t, want, got)
		return
	}
	compareExpected(t, want, got)
}

// result is what one validate produced, normalized: file name → bytes.
type result map[string][]byte

// run is a case set up in a temporary directory.
type run struct {
	work, caseDir, out, state string
	env                       map[string]string
	vars                      map[string]string // ${NAME} in plan.yaml
	replace                   []string          // old, new pairs applied to every output
}

// runCase copies the case into a temporary directory, starts what it
// needs, runs ferry validate and returns its normalized outputs.
func runCase(t *testing.T, c goldenCase) result {
	t.Helper()
	r := setUp(t, c)
	for k, v := range r.env {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"--state-dir", r.state, "validate", filepath.Join(r.caseDir, "plan.yaml"), "--quarantine", r.out}
	if c.rehearsal() {
		args = []string{"--state-dir", r.state, "run", filepath.Join(r.caseDir, "plan.yaml"), "--rehearse", "--quarantine", r.out}
	}
	code := cli.Main(context.Background(), args, bytes.NewReader(nil), &stdout, &stderr)
	got := result{"exit": []byte(strconv.Itoa(code) + "\n")}
	if stderr.Len() > 0 && !c.rehearsal() { // a run prints timings
		got["stderr.txt"] = stderr.Bytes()
	}
	entries, err := os.ReadDir(r.out)
	if err != nil && !os.IsNotExist(err) {
		require.NoError(t, err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(r.out, e.Name()))
		require.NoError(t, err)
		got[e.Name()] = b
	}
	for name, b := range got {
		got[name] = r.normalize(b)
	}
	return got
}

// setUp copies the case (without expected/, sftp/ and README.md) into a
// temporary directory, writes its schema and builds its databases.
func setUp(t *testing.T, c goldenCase) *run {
	work := t.TempDir()
	r := &run{work: work, caseDir: filepath.Join(work, "case"), out: filepath.Join(work, "out"),
		state: filepath.Join(work, "state"), env: map[string]string{"FERRY_MASK_KEY": maskKey}, vars: map[string]string{}}
	require.NoError(t, copyDir(c.dir, r.caseDir, func(rel string) bool {
		return rel == "expected" || rel == "sftp" || rel == "README.md"
	}))
	if _, err := os.Stat(filepath.Join(r.caseDir, "schema.json")); os.IsNotExist(err) {
		b, err := orm.RecordedSchema(18)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(r.caseDir, "schema.json"), b, 0o600))
	}
	for _, s := range c.services() {
		switch s {
		case "postgres":
			setUpPostgres(t, r)
		case "mysql":
			setUpMySQL(t, r)
		case "sqlite":
			setUpSQLite(t, r)
		case "odoo":
			setUpOdoo(t, r)
		case "sftp":
			setUpSFTP(t, r, filepath.Join(c.dir, "sftp"))
		}
	}
	r.expandPlan(t)
	r.replace = append(r.replace, r.caseDir, "$CASE", r.out, "$OUT", r.work, "$WORK")
	return r
}

var placeholder = regexp.MustCompile(`\$\{([A-Z0-9_]+)\}`)

// expandPlan replaces ${NAME} in plan.yaml; a templated plan's digest
// varies with the values, so it is normalized.
func (r *run) expandPlan(t *testing.T) {
	path := filepath.Join(r.caseDir, "plan.yaml")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if !placeholder.Match(b) {
		return
	}
	out := placeholder.ReplaceAllFunc(b, func(m []byte) []byte {
		name := string(placeholder.FindSubmatch(m)[1])
		v, ok := r.vars[name]
		require.True(t, ok, "plan.yaml names ${%s}, which the harness does not set", name)
		return []byte(v)
	})
	require.NoError(t, os.WriteFile(path, out, 0o600))
	sum := sha256.Sum256(out)
	r.replace = append(r.replace, hex.EncodeToString(sum[:]), "$PLAN_SHA256")
}

func (r *run) normalize(b []byte) []byte {
	for i := 0; i+1 < len(r.replace); i += 2 {
		b = bytes.ReplaceAll(b, []byte(r.replace[i]), []byte(r.replace[i+1]))
	}
	return b
}

// copyDir copies the files of src into dst, leaving out the top-level
// entries skip names.
func copyDir(src, dst string, skip func(rel string) bool) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel != "." && skip(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
}

// stored is how an output is kept in expected/: its bytes, or for a large
// file a .sha256 file with its digest and size.
func stored(name string, b []byte) (string, []byte) {
	if len(b) <= maxInline {
		return name, b
	}
	sum := sha256.Sum256(b)
	return name + ".sha256", []byte(fmt.Sprintf("sha256 %s size %d\n", hex.EncodeToString(sum[:]), len(b)))
}

func writeExpected(t *testing.T, dir string, got result) {
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for name, b := range got {
		n, content := stored(name, b)
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), content, 0o644))
	}
}

func compareExpected(t *testing.T, dir string, got result) {
	want := map[string]string{}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err, "no expected/ yet: run go test ./internal/golden/ -update and review the files")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		want[e.Name()] = string(b)
	}
	gotStored := map[string]string{}
	for name, b := range got {
		n, content := stored(name, b)
		gotStored[n] = string(content)
	}
	require.Equal(t, sortedNames(want), sortedNames(gotStored), "the files validate wrote differ from expected/ (go test -update rewrites them)")
	for _, name := range sortedNames(want) {
		require.Equal(t, want[name], gotStored[name], "%s differs from expected/%s (go test -update rewrites it)", name, name)
	}
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// readExpected returns every expected file of every case, by case.
func readExpected(t *testing.T) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, c := range cases(t) {
		files := map[string]string{}
		entries, err := os.ReadDir(filepath.Join(c.dir, "expected"))
		require.NoError(t, err, "case %s has no expected/", c.name)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(c.dir, "expected", e.Name()))
			require.NoError(t, err)
			files[e.Name()] = string(b)
		}
		out[c.name] = files
	}
	return out
}
