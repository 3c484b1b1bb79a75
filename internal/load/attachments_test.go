package load

import (
	"context"
	"crypto/sha1" //nolint:gosec // Odoo's ir.attachment checksum is SHA-1
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/validate"
)

const attachPlan = `version: 1
name: t
namespace: ns_att
target: {url: "http://127.0.0.1:1", database: x, login: a}
load: {max_file_size: 100B, batch_bytes: 250B}
sources:
  legacy: {kind: csv, path: .}
  scans: {kind: files, path: scans}
entities:
  - name: partners
    model: res.partner
    from: {source: legacy, file: partners.csv}
    key: code
    fields:
      name: row.code
  - name: docs
    model: ir.attachment
    from: {source: legacy, file: docs.csv}
    files: scans
    key: file
    fields:
      name: row.file
      res_model: '"res.partner"'
      res_id: ref("partners", row.partner)
      datas: file(row.file)
`

// spy is the sandbox as a load target, recording the attachment loads
// (records and file bytes per call) and running before once ahead of the
// first ir.model.data search of res.partner ids after the partners are
// loaded (the loader's resolution of res_id), or refusing every search of
// ir.model.data.
type spy struct {
	*odoo.Client
	mu       sync.Mutex
	calls    []int
	cells    []int
	before   func()
	denyIMD  bool
	partners bool // loaded
}

func (s *spy) Load(ctx context.Context, model string, cols []string, rows [][]string, extra map[string]any) (*odoo.LoadResult, error) {
	if model == "ir.attachment" {
		s.mu.Lock()
		n := 0
		j := indexOf(cols, "datas")
		for _, r := range rows {
			n += len(r[j])
		}
		s.calls, s.cells = append(s.calls, len(rows)), append(s.cells, n)
		s.mu.Unlock()
		if extra["image_no_postprocess"] != true {
			return nil, fmt.Errorf("attachments are loaded without image_no_postprocess")
		}
	}
	res, err := s.Client.Load(ctx, model, cols, rows, extra)
	s.partners = s.partners || model == "res.partner"
	return res, err
}

func (s *spy) SearchRead(ctx context.Context, model string, dom odoo.Domain, fields []string, p odoo.Page) ([]map[string]any, error) {
	if model == "ir.model.data" && s.denyIMD {
		return nil, &odoo.Error{Kind: odoo.KindAccess, Class: "odoo.exceptions.AccessError", Message: "no"}
	}
	if model == "ir.model.data" && fmt.Sprint(dom[0]) == "[model = res.partner]" && s.partners {
		if s.before != nil {
			s.before()
			s.before = nil
		}
	}
	return s.Client.SearchRead(ctx, model, dom, fields, p)
}

func attachFixture(t *testing.T) (string, *ledger.Store, *spy) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"plan.yaml": attachPlan, "partners.csv": "code\nP1\nP2\n", "docs.csv": "file,partner\n"}
	for i := 1; i <= 6; i++ {
		name := fmt.Sprintf("f%d.txt", i)
		files["docs.csv"] += fmt.Sprintf("%s,P%d\n", name, 1+i%2)
		files["scans/"+name] = strings.Repeat(fmt.Sprint(i), 100)
	}
	for name, body := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	st, err := ledger.Open(context.Background(), filepath.Join(dir, ".ferry"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	sb, err := sandbox.New(sandbox.Options{Version: 18})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sb.Close() })
	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New(sb.AdminKey())})
	require.NoError(t, err)
	return dir, st, &spy{Client: c}
}

func attachRun(t *testing.T, dir string, st *ledger.Store, target Target) *Summary {
	t.Helper()
	p, ds, err := plan.Load(filepath.Join(dir, "plan.yaml"))
	require.NoError(t, err)
	require.Empty(t, ds)
	raw, err := orm.RecordedSchema(18)
	require.NoError(t, err)
	schema, _, err := validate.ParseSchema(raw, "odoo18")
	require.NoError(t, err)
	pl, err := pipeline.Prepare(context.Background(), p, pipeline.Options{Schema: schema})
	require.NoError(t, err)
	defer pl.Close()
	s, err := Run(context.Background(), pl, target, st, Options{Workers: 2, Quarantine: filepath.Join(dir, "quarantine")})
	require.NoError(t, err)
	return s
}

func checksums(t *testing.T, c *odoo.Client) map[string]string {
	t.Helper()
	recs, err := c.SearchRead(context.Background(), "ir.attachment", odoo.Domain{[]any{"res_model", "=", "res.partner"}}, []string{"name", "checksum", "res_id"}, odoo.Page{})
	require.NoError(t, err)
	out := map[string]string{}
	for _, r := range recs {
		out[r["name"].(string)] = fmt.Sprint(r["checksum"], "@", r["res_id"])
	}
	return out
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s)) //nolint:gosec // see the import
	return hex.EncodeToString(sum[:])
}

// Six files of 100 bytes with batch_bytes 250: no load call carries more
// than two; each attachment's res_id is its partner's database id and
// its checksum the file's SHA-1; a rerun sends nothing.
func TestAttachmentBatchesAreBoundedByBytes(t *testing.T) {
	dir, st, target := attachFixture(t)
	s := attachRun(t, dir, st, target)
	require.Equal(t, [5]int64{6, 6, 0, 0, 0}, counts(s)["docs/1"])
	require.Equal(t, []int{2, 2, 2}, target.calls)
	for _, n := range target.cells {
		require.LessOrEqual(t, n, 4*250/3+4, "base64 of at most batch_bytes per call")
	}
	ids := map[string]int64{}
	for _, p := range []string{"P1", "P2"} {
		_, id, err := target.Resolve(context.Background(), "ns_att.partners_"+p)
		require.NoError(t, err)
		ids[p] = id
	}
	got := checksums(t, target.Client)
	for i := 1; i <= 6; i++ {
		require.Equal(t, fmt.Sprint(sha1Hex(strings.Repeat(fmt.Sprint(i), 100)), "@", ids[fmt.Sprintf("P%d", 1+i%2)]), got[fmt.Sprintf("f%d.txt", i)])
	}

	target.calls = nil
	s = attachRun(t, dir, st, target)
	require.Equal(t, [5]int64{6, 0, 6, 0, 0}, counts(s)["docs/1"])
	require.Empty(t, target.calls)
}

// A file that changes between the pipeline's reading and the send, and a
// res_id whose record is gone from Odoo, quarantine their rows (MAP219,
// LOAD408) and nothing else; the next run loads the changed file.
func TestAttachmentChangedFileAndMissingRecordAreQuarantined(t *testing.T) {
	dir, st, target := attachFixture(t)
	target.before = func() {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "scans", "f3.txt"), []byte("changed"), 0o600))
		_, id, err := target.Resolve(context.Background(), "ns_att.partners_P1")
		require.NoError(t, err)
		require.NoError(t, target.Unlink(context.Background(), "res.partner", []int64{id}))
	}
	s := attachRun(t, dir, st, target)
	require.Equal(t, [5]int64{6, 2, 0, 4, 0}, counts(s)["docs/1"], "f2, f4, f6 point at P1; f3 changed")
	rows, err := st.Rows(context.Background(), "docs", 1)
	require.NoError(t, err)
	require.Contains(t, rows["ns_att.docs_f4.txt"].Message, CodeNoID+": res_id: ns_att.partners_P1 (res.partner) is not in Odoo")
	require.Contains(t, rows["ns_att.docs_f3.txt"].Message, pipeline.CodeFile+": file scans/f3.txt changed while the run read it")
	q, err := os.ReadFile(filepath.Join(dir, "quarantine", "docs.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), CodeNoID)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "partners.csv"), []byte("code\nP2\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "docs.csv"), []byte("file,partner\nf1.txt,P2\nf2.txt,P2\nf3.txt,P2\n"), 0o600))
	s = attachRun(t, dir, st, target)
	require.Equal(t, [5]int64{3, 2, 1, 0, 0}, counts(s)["docs/1"], "f2 (now P2's) and f3 (changed) are sent")
	require.Equal(t, fmt.Sprint(sha1Hex("changed"), "@"), checksums(t, target.Client)["f3.txt"][:41])
}

// Without the right to read ir.model.data, res_id is resolved through the
// ledger (the partners this plan loaded).
func TestAttachmentResIDFromTheLedger(t *testing.T) {
	dir, st, target := attachFixture(t)
	target.denyIMD = true
	s := attachRun(t, dir, st, target)
	require.Equal(t, [5]int64{6, 6, 0, 0, 0}, counts(s)["docs/1"])
	_, id, err := target.Resolve(context.Background(), "ns_att.partners_P2")
	require.NoError(t, err)
	require.Equal(t, fmt.Sprint(sha1Hex(strings.Repeat("1", 100)), "@", id), checksums(t, target.Client)["f1.txt"])
}
