package contract

import (
	"crypto/sha1" //nolint:gosec // Odoo's ir.attachment checksum is SHA-1
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// Attachments (ir.attachment) the way Ferry loads them: by external ID
// through load, datas in base64, res_model and res_id (a
// many2one_reference: load reads an integer there, never an external ID),
// the mimetype given. Odoo's checksum is the SHA-1 of the bytes, which
// verify compares instead of reading datas back. Checked the same way on
// the sandbox and on real Odoo 18 and 19.

func sha1Hex(b []byte) string {
	s := sha1.Sum(b) //nolint:gosec // see the import
	return hex.EncodeToString(s[:])
}

func TestAttachmentsLoadWithChecksumAndResID(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		x := "ferry_contract." + tag(t)
		partner, err := c.Create(ctx(t), "res.partner", []map[string]any{{"name": "Attach " + x}})
		require.NoError(t, err)
		pid := strconv.FormatInt(partner[0], 10)
		var made []int64
		t.Cleanup(func() {
			_ = c.Unlink(ctx(t), "ir.attachment", made)
			_ = c.Unlink(ctx(t), "res.partner", partner)
		})
		load := func(cols []string, rows ...[]string) *odoo.LoadResult {
			t.Helper()
			res, err := c.Load(ctx(t), "ir.attachment", cols, rows, map[string]any{"image_no_postprocess": true})
			require.NoError(t, err)
			made = append(made, res.IDs...)
			return res
		}
		read := func(id int64, fields ...string) map[string]any {
			t.Helper()
			recs, err := c.Read(ctx(t), "ir.attachment", []int64{id}, fields)
			require.NoError(t, err)
			require.Len(t, recs, 1)
			return recs[0]
		}
		cols := []string{"id", "name", "res_model", "res_id", "datas", "mimetype"}
		pdf := []byte("%PDF-1.4 contract " + x + "\n")

		res := load(cols, []string{x + "_a", "scan.pdf", "res.partner", pid, base64.StdEncoding.EncodeToString(pdf), "Application/PDF"})
		require.False(t, res.RolledBack, "%+v", res.Messages)
		require.Len(t, res.IDs, 1)
		a := res.IDs[0]
		got := read(a, "name", "res_model", "res_id", "mimetype", "checksum", "file_size", "type", "datas")
		require.Equal(t, "scan.pdf", got["name"])
		require.Equal(t, "res.partner", got["res_model"])
		require.EqualValues(t, partner[0], got["res_id"], "res_id reads as the integer id")
		require.Equal(t, "application/pdf", got["mimetype"], "the mimetype given, in lower case")
		require.Equal(t, sha1Hex(pdf), got["checksum"], "checksum is the SHA-1 of the bytes")
		require.EqualValues(t, len(pdf), got["file_size"])
		require.Equal(t, "binary", got["type"])
		require.Equal(t, base64.StdEncoding.EncodeToString(pdf), got["datas"])
		found, err := c.Search(ctx(t), "ir.attachment", odoo.Domain{[]any{"res_model", "=", "res.partner"}, []any{"res_id", "=", partner[0]}}, odoo.Page{})
		require.NoError(t, err)
		require.Equal(t, []int64{a}, found, "the record's attachments are found by res_model and res_id")

		other := []byte("second version")
		again := load([]string{"id", "datas"}, []string{x + "_a", base64.StdEncoding.EncodeToString(other)})
		require.Equal(t, []int64{a}, again.IDs, "the same external ID updates the attachment")
		got = read(a, "checksum", "file_size", "res_id")
		require.Equal(t, sha1Hex(other), got["checksum"])
		require.EqualValues(t, len(other), got["file_size"])
		require.EqualValues(t, partner[0], got["res_id"])

		res = load([]string{"id", "name", "res_model", "res_id/id", "datas"},
			[]string{x + "_b", "b.txt", "res.partner", x + "_partner", base64.StdEncoding.EncodeToString(other)})
		require.True(t, res.RolledBack)
		errs := res.Errors()
		require.Len(t, errs, 1)
		require.Equal(t, "res_id", errs[0].Field)
		require.Equal(t, "'"+x+"_partner' does not seem to be an integer for field 'Resource ID'", errs[0].Message,
			"load takes no external ID in res_id: Ferry sends the database id")

		res = load([]string{"id", "name", "datas"},
			[]string{x + "_txt", "notes.txt", base64.StdEncoding.EncodeToString([]byte("hello attachments"))},
			[]string{x + "_bin", "scan.bin", base64.StdEncoding.EncodeToString(pdf)},
			[]string{x + "_empty", "empty.pdf", ""})
		require.False(t, res.RolledBack, "%+v", res.Messages)
		require.Len(t, res.IDs, 3)
		got = read(res.IDs[0], "mimetype", "res_id", "res_model")
		require.Equal(t, "text/plain", got["mimetype"], "no mimetype: from the name")
		require.EqualValues(t, 0, got["res_id"], "an empty res_id reads 0")
		require.Equal(t, false, got["res_model"])
		require.Equal(t, "application/pdf", read(res.IDs[1], "mimetype")["mimetype"], "unknown extension: from the bytes")
		got = read(res.IDs[2], "checksum", "file_size", "datas")
		require.Equal(t, false, got["checksum"], "an attachment created without bytes has no checksum")
		require.EqualValues(t, 0, got["file_size"])
		require.Equal(t, "", got["datas"])

		for bad, msg := range map[string]string{
			"aGVsbG8": "Incorrect padding",
			"a":       "Invalid base64-encoded string: number of data characters (1) cannot be 1 more than a multiple of 4",
		} {
			res = load([]string{"id", "name", "datas"}, []string{x + "_bad", "bad.txt", bad})
			require.True(t, res.RolledBack, bad)
			errs = res.Errors()
			require.Len(t, errs, 1, bad)
			require.Equal(t, "Unknown error during import: <class 'binascii.Error'>: "+msg, errs[0].Message)
		}
		res = load([]string{"id", "name", "datas"}, []string{x + "_pad", "pad.txt", "aGVs bG8=ignored"})
		require.False(t, res.RolledBack, "%+v", res.Messages)
		require.Equal(t, sha1Hex([]byte("hello")), read(res.IDs[0], "checksum")["checksum"],
			"base64 is decoded as Python does: characters outside the alphabet skipped, the rest after the padding ignored")
	})
}
