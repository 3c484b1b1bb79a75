package cli

import (
	"context"
	"crypto/sha1" //nolint:gosec // Odoo's ir.attachment checksum is SHA-1
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// The files of the attachments plan: three customers' invoices, an index
// of scans (one row per file: the invoice it belongs to and the file's
// name), and the scans directory, where big.pdf is over the plan's 1 KiB
// limit and gone.pdf is missing.
var attachmentFiles = map[string]string{
	"data/customers.csv":       "code,name\nC1,Ada Lovelace\nC2,Charles Babbage\n",
	"data/invoices.csv":        "number,customer\nINV-001,C1\nINV-002,C2\nINV-003,C1\n",
	"data/scans.csv":           "invoice,file\nINV-001,INV-001.pdf\nINV-001,INV-001-signed.png\nINV-002,2024/INV-002.pdf\nINV-003,big.pdf\nINV-003,gone.pdf\n",
	"scans/INV-001.pdf":        "%PDF-1.4 invoice INV-001\n",
	"scans/INV-001-signed.png": "\x89PNG\r\n\x1a\nsigned INV-001",
	"scans/2024/INV-002.pdf":   "%PDF-1.4 invoice INV-002\n",
	"scans/big.pdf":            "%PDF-1.4 " + strings.Repeat("x", 2000),
}

const attachmentEntities = `  - name: customers
    model: res.partner
    unmasked: [name]
    from: {source: legacy, file: customers.csv}
    key: code
    fields:
      name: row.name
  - name: invoices
    model: account.move
    from: {source: legacy, file: invoices.csv}
    key: number
    allow_readonly: [move_type]
    fields:
      move_type: '"out_invoice"'
      partner_id: ref("customers", row.customer)
      ref: row.number
  - name: invoice_scans
    model: ir.attachment
    from: {source: legacy, file: scans.csv}
    files: scans
    key: file
    fields:
      name: row.file
      res_model: '"account.move"'
      res_id: ref("invoices", row.invoice)
      datas: file(row.file)
      mimetype: mimetype(row.file)
`

// attachmentPlan starts a sandbox of Odoo version, writes the plan and
// its files, and returns the plan's path and an admin client.
func attachmentPlan(t *testing.T, version int) (string, *odoo.Client) {
	t.Helper()
	key := fmt.Sprintf("att-key-%d", version)
	sb, err := sandbox.New(sandbox.Options{Version: version, AdminKey: key})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	dir := t.TempDir()
	for name, body := range attachmentFiles {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	plan := filepath.Join(dir, "plan.yaml")
	require.NoError(t, os.WriteFile(plan, []byte(fmt.Sprintf(`version: 1
name: scans
namespace: legacy_scans
target: {url: %s, database: %s, login: admin, api_key: {env: ATT_KEY}, environment: test}
backup: none
load: {max_file_size: 1KiB}
sources:
  legacy: {kind: csv, path: data}
  scans: {kind: files, path: scans}
entities:
%s`, sb.URL, sb.Database(), attachmentEntities)), 0o644))
	t.Setenv("ATT_KEY", key)
	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New(key)})
	require.NoError(t, err)
	return plan, c
}

// scanID is the external ID of a row of the attachments plan.
func scanID(entity, key string) string {
	ids := mapping.NewIDs("legacy_scans", secret.String{})
	enc, _ := ids.EncodeKey([]string{key}, false)
	return ids.ExternalID(entity, enc)
}

func sha1Of(s string) string {
	sum := sha1.Sum([]byte(s)) //nolint:gosec // see the import
	return hex.EncodeToString(sum[:])
}

// stable drops what changes from run to run: report paths, run IDs,
// durations.
var (
	runIDs    = regexp.MustCompile(`r\d{8}T\d{6}Z-[0-9a-f]+`)
	durations = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s)\b`)
	urls      = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	digests   = regexp.MustCompile(`sha256 [0-9a-f]{12}`)
)

func stable(dir, out string) string {
	out = strings.ReplaceAll(out, dir, "<dir>")
	out = urls.ReplaceAllString(out, "<sandbox>")
	out = digests.ReplaceAllString(out, "sha256 <plan>")
	out = reportsLine.ReplaceAllString(out, "reports: …")
	out = runIDs.ReplaceAllString(out, "<run>")
	return durations.ReplaceAllString(out, "<took>")
}

// Invoices load with their scans from a directory: each scan an
// ir.attachment of its invoice (res_id its database id), its checksum the
// file's SHA-1; the file over max_file_size and the missing one are
// quarantined with MAP219 naming them; verify is clean; a rerun changes
// nothing; after one scan's bytes change in the source, verify reports
// the checksum difference, and the next run updates that attachment
// alone (not taken for an edit made in Odoo) and verify is clean again.
func TestAttachmentsLoadVerifyAndReportAChangedFile(t *testing.T) {
	for _, version := range []int{18, 19} {
		t.Run(fmt.Sprint("odoo", version), func(t *testing.T) {
			plan, c := attachmentPlan(t, version)
			dir := filepath.Dir(plan)
			code, out, errs := run(t, "run", plan)
			require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
			golden(t, "attachments/run.golden", stable(dir, out))
			q, err := os.ReadFile(filepath.Join(dir, ".ferry", "quarantine", "invoice_scans.csv"))
			require.NoError(t, err)
			golden(t, "attachments/quarantine.golden", string(q))

			ctx := context.Background()
			_, inv, err := c.Resolve(ctx, scanID("invoices", "INV-001"))
			require.NoError(t, err)
			_, att, err := c.Resolve(ctx, scanID("invoice_scans", "INV-001.pdf"))
			require.NoError(t, err)
			recs, err := c.Read(ctx, "ir.attachment", []int64{att}, []string{"name", "res_model", "res_id", "mimetype", "checksum", "file_size", "datas"})
			require.NoError(t, err)
			body := attachmentFiles["scans/INV-001.pdf"]
			require.Equal(t, "INV-001.pdf", recs[0]["name"])
			require.Equal(t, "account.move", recs[0]["res_model"])
			require.EqualValues(t, inv, recs[0]["res_id"], "res_id is the invoice's database id")
			require.Equal(t, "application/pdf", recs[0]["mimetype"])
			require.Equal(t, sha1Of(body), recs[0]["checksum"])
			require.EqualValues(t, len(body), recs[0]["file_size"])

			code, out, errs = run(t, "verify", plan)
			require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
			golden(t, "attachments/verify-clean.golden", stable(dir, out))

			code, out, errs = run(t, "run", plan)
			require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
			require.Regexp(t, `invoice_scans\s+ir.attachment\s+5\s+0\s+3\s+2\s+0\s+holds`, out, "a rerun leaves every loaded scan unchanged")

			require.NoError(t, os.WriteFile(filepath.Join(dir, "scans", "2024", "INV-002.pdf"), []byte("%PDF-1.4 invoice INV-002, amended\n"), 0o644))
			code, out, errs = run(t, "verify", plan)
			require.Equal(t, ExitDifferences, code, "%s\n%s", out, errs)
			golden(t, "attachments/verify-changed.golden", stable(dir, out))

			code, out, errs = run(t, "run", plan)
			require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
			require.Regexp(t, `invoice_scans\s+ir.attachment\s+5\s+1\s+2\s+2\s+0\s+holds`, out, "the changed scan alone is sent again")
			code, out, errs = run(t, "verify", plan)
			require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
		})
	}
}

// An attachment whose content someone replaced in Odoo is not overwritten
// when its source file changes too: the run quarantines it as
// changed_in_target, comparing Odoo's checksum with what Ferry wrote.
func TestAttachmentEditedInOdooIsNotOverwritten(t *testing.T) {
	plan, c := attachmentPlan(t, 18)
	dir := filepath.Dir(plan)
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	ctx := context.Background()
	_, att, err := c.Resolve(ctx, scanID("invoice_scans", "INV-001.pdf"))
	require.NoError(t, err)
	require.NoError(t, c.Write(ctx, "ir.attachment", []int64{att}, map[string]any{"datas": "ZWRpdGVkIGluIE9kb28="})) // "edited in Odoo"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scans", "INV-001.pdf"), []byte("%PDF-1.4 invoice INV-001, v2\n"), 0o644))

	code, out, errs = run(t, "run", plan)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Regexp(t, `invoice_scans\s+ir.attachment\s+5\s+0\s+2\s+3\s+0\s+holds`, out)
	q, err := os.ReadFile(filepath.Join(dir, ".ferry", "quarantine", "invoice_scans.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), fmt.Sprintf(`LOAD406 the record was changed in Odoo after Ferry wrote it (datas: Ferry wrote ""sha1:%s"", Odoo now holds ""sha1:%s""`,
		sha1Of(attachmentFiles["scans/INV-001.pdf"]), sha1Of("edited in Odoo")))
}

// ping --plan probes the attachments entity with its real columns: the
// file contents and res_id, which the loader fills when it sends a batch,
// go empty, and Odoo refuses nothing.
func TestPingPlanProbesAttachments(t *testing.T) {
	plan, _ := attachmentPlan(t, 18)
	code, out, errs := run(t, "ping", "--plan", plan)
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "model ir.attachment (invoice_scans)")
	i := strings.Index(out, "model ir.attachment (invoice_scans)")
	require.Regexp(t, `probe\s+no refusal \(nothing was written\)`, out[i:])
	require.Contains(t, out[i:], "sent empty in the probe (filled when a batch is sent): datas, res_id", out)
}
