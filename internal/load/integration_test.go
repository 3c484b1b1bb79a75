// A kill that lands after the run was marked done makes the next run a
// new run, whose rows are rightly "unchanged" where the reference says
// "loaded": kills are drawn from the first three quarters of the run.

package load_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// The crash tests run the real ferry binary against an in-process sandbox,
// kill it with SIGKILL at random instants, resume, and compare the target
// and the ledger with an uninterrupted run's.

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// ferryBinary builds cmd/ferry once per test binary.
func ferryBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "ferry-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "ferry")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/ferry")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

const crashPlan = `version: 1
name: crash
namespace: crash_test
backup: none
target: {database: sandbox, login: admin}
sources:
  legacy: {kind: csv, path: .}
load: {batch_size: 7, workers: 2}
entities:
  - name: companies
    model: res.partner
    from: {source: legacy, file: companies.csv}
    key: id
    fields:
      name: row.name
      is_company: row.kind == "C"
      email: row.email
      parent_id: ref("companies", row.parent)
    lines:
      - field: child_ids
        from: {source: legacy, file: contacts.csv}
        join: company
        line_key: no
        fields:
          name: row.name
          email: row.email
`

// crashData writes the plan and n companies, every third one with three
// contacts, every fifth one under an earlier company.
func crashData(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	var companies, contacts strings.Builder
	companies.WriteString("id,name,kind,email,parent\n")
	contacts.WriteString("company,no,name,email\n")
	for i := 1; i <= n; i++ {
		parent := ""
		if i%5 == 0 {
			parent = fmt.Sprint(i - 3)
		}
		fmt.Fprintf(&companies, "%d,Company %d,C,c%d@example.test,%s\n", i, i, i, parent)
		if i%3 == 0 {
			for j := 1; j <= 3; j++ {
				fmt.Fprintf(&contacts, "%d,%d,Person %d-%d,p%d.%d@example.test\n", i, j, i, j, i, j)
			}
		}
	}
	files := map[string]string{"plan.yaml": crashPlan, "companies.csv": companies.String(), "contacts.csv": contacts.String()}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	return dir
}

func newSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{Version: 18})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// ferryRun runs `ferry run` and, when killAt > 0, kills it with SIGKILL
// after the killAt-th progress line. It returns the exit code (-1 when
// killed) and the number of progress lines seen.
func ferryRun(t *testing.T, srv *sandbox.Server, dir string, killAt int) (int, int) {
	t.Helper()
	cmd := exec.Command(ferryBinary(t), "run", filepath.Join(dir, "plan.yaml"), "--json", "--backup", "none")
	cmd.Env = append(os.Environ(), "FERRY_ODOO_URL="+srv.URL, "FERRY_ODOO_DB="+srv.Database(),
		"FERRY_ODOO_LOGIN=admin", "FERRY_ODOO_API_KEY="+srv.AdminKey())
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines, killed := 0, false
	var tail []string
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines++
		tail = append(tail, sc.Text())
		if killAt > 0 && lines == killAt && !killed {
			require.NoError(t, cmd.Process.Kill())
			killed = true
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if killed || err == nil {
		return code(err), lines
	}
	require.ErrorAs(t, err, &ee, "ferry run: %v", err)
	if ee.ExitCode() != 4 { // 4: stopped on a persistent fault, resumable
		t.Fatalf("ferry run exited %d:\n%s", ee.ExitCode(), strings.Join(lastN(tail, 20), "\n"))
	}
	return ee.ExitCode(), lines
}

func code(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return 0
}

func lastN(xs []string, n int) []string {
	if len(xs) > n {
		return xs[len(xs)-n:]
	}
	return xs
}

// targetState renders every record under the plan's namespace as
// "xmlid name email is_company parent=<xmlid> children=<xmlids>".
func targetState(t *testing.T, srv *sandbox.Server) []string {
	t.Helper()
	ctx := context.Background()
	c, err := odoo.Dial(ctx, odoo.Config{URL: srv.URL, Database: srv.Database(), Login: "admin", APIKey: secret.New(srv.AdminKey())})
	require.NoError(t, err)
	data, err := c.SearchRead(ctx, "ir.model.data", odoo.Domain{[]any{"module", "=", "crash_test"}}, []string{"name", "res_id", "model"}, odoo.Page{})
	require.NoError(t, err)
	xmlid := map[int64]string{}
	var ids []int64
	for _, d := range data {
		id := d["res_id"].(int64)
		_, dup := xmlid[id]
		require.False(t, dup, "record %d has two external IDs", id)
		xmlid[id] = "crash_test." + d["name"].(string)
		ids = append(ids, id)
	}
	recs, err := c.Read(ctx, "res.partner", ids, []string{"name", "email", "is_company", "parent_id", "child_ids"})
	require.NoError(t, err)
	var out []string
	for _, r := range recs {
		parent := ""
		if p, ok := r["parent_id"].([]any); ok {
			parent = xmlid[p[0].(int64)]
		}
		var children []string
		for _, ch := range r["child_ids"].([]any) {
			children = append(children, xmlid[ch.(int64)])
		}
		sort.Strings(children)
		out = append(out, fmt.Sprintf("%s %v %v %v parent=%s children=%s", xmlid[r["id"].(int64)], r["name"], r["email"],
			r["is_company"], parent, strings.Join(children, ",")))
	}
	sort.Strings(out)
	n, err := c.SearchCount(ctx, "res.partner", odoo.Domain{[]any{"email", "like", "example.test"}})
	require.NoError(t, err)
	require.Equal(t, int64(len(out)), n, "every record carries an external ID: no duplicates")
	return out
}

// ledgerState is the ledger's rows without run ids, batches, attempts and
// database ids.
func ledgerState(t *testing.T, dir string) []ledger.Row {
	t.Helper()
	st, err := ledger.Open(context.Background(), filepath.Join(dir, ".ferry"))
	require.NoError(t, err)
	defer st.Close()
	rows, err := st.AllRows(context.Background())
	require.NoError(t, err)
	for i := range rows {
		rows[i].RunID, rows[i].Batch, rows[i].Attempts, rows[i].OdooID = "", 0, 0, 0
	}
	return rows
}

type reference struct {
	target []string
	ledger []ledger.Row
	lines  int
}

func referenceRun(t *testing.T, n int) *reference {
	t.Helper()
	srv := newSandbox(t)
	dir := crashData(t, n)
	code, lines := ferryRun(t, srv, dir, 0)
	require.Equal(t, 0, code)
	return &reference{target: targetState(t, srv), ledger: ledgerState(t, dir), lines: lines}
}

func TestIntegrationKillAndResume(t *testing.T) {
	testutil.Integration(t)
	const n = 60
	ref := referenceRun(t, n)
	require.Len(t, ref.target, n+3*(n/3))
	seeds := 4
	if testing.Short() {
		seeds = 1
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(uint64(seed), 1))
			srv := newSandbox(t)
			dir := crashData(t, n)
			for kills := 0; ; kills++ {
				killAt := 0
				if kills < 3 {
					killAt = 1 + rnd.IntN(ref.lines*3/4) // before the run is marked done: a kill after that makes the next run a new one
				}
				code, _ := ferryRun(t, srv, dir, killAt)
				if code == 0 {
					break
				}
				require.Less(t, kills, 10, "the run never finished")
			}
			require.Equal(t, ref.target, targetState(t, srv))
			require.Equal(t, ref.ledger, ledgerState(t, dir))
		})
	}
}

func TestIntegrationFaultsExactlyOnce(t *testing.T) {
	testutil.Integration(t)
	const n = 60
	ref := referenceRun(t, n)
	srv := newSandbox(t)
	srv.SetFaults(sandbox.Faults{Kinds: []string{sandbox.FaultLoadRow, sandbox.Fault502, sandbox.FaultDrop, sandbox.FaultSerialization},
		Rate: 0.1, Seed: 7})
	dir := crashData(t, n)
	for tries := 0; ; tries++ {
		code, _ := ferryRun(t, srv, dir, 0)
		if code == 0 {
			break
		}
		require.Less(t, tries, 10, "the run never finished")
	}
	srv.SetFaults(sandbox.Faults{})
	require.Equal(t, ref.target, targetState(t, srv))
	require.Equal(t, ref.ledger, ledgerState(t, dir))
}
