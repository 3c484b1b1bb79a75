package verify

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
)

type fixedIDs map[int64]string

func (f fixedIDs) XMLID(_ string, id int64) string { return f[id] }

func TestCompareAttachmentRows(t *testing.T) {
	fields := map[string]Field{"datas": {Name: "datas", Type: "binary", Digits: -1}, "res_id": {Name: "res_id", Type: "many2one_reference", Digits: -1},
		"mimetype": {Name: "mimetype", Type: "char", Digits: -1}, "name": {Name: "name", Type: "char", Digits: -1}}
	want := record.Row{Model: "ir.attachment", ExternalID: "ns.scans_a", Values: map[string]any{
		"datas": &record.File{Size: 3, SHA1: "a9993e364706816aba3e25717850c26c9cd0d89d"}, "res_id": record.IDRef{Model: "account.move", ExternalID: "ns.invoices_1"},
		"mimetype": "application/octet-stream", "name": "a"}}
	got := map[string]any{"id": int64(9), "checksum": "a9993e364706816aba3e25717850c26c9cd0d89d", "res_id": int64(42), "mimetype": "application/pdf", "name": "a"}
	r := fixedIDs{42: "ns.invoices_1"}
	res := CompareRow(fields, want, got, nil, r, nil)
	require.Equal(t, Match, res.Status, "%+v", res.Diffs)

	got["checksum"], got["res_id"], got["name"] = "0000", int64(43), "b"
	want.Values["mimetype"] = "image/png"
	res = CompareRow(fields, want, got, nil, r, nil)
	require.Equal(t, []FieldDiff{{Field: "datas", Want: "sha1:a9993e364706816aba3e25717850c26c9cd0d89d", Got: "sha1:0000"},
		{Field: "mimetype", Want: "image/png", Got: "application/pdf"}, {Field: "name", Want: "a", Got: "b"},
		{Field: "res_id", Want: "xmlid:ns.invoices_1", Got: "id:43"}}, res.Diffs)

	want.Values["datas"] = &record.File{}
	for _, empty := range []any{false, "", emptySHA1} {
		got["checksum"] = empty
		require.Empty(t, diffOf(CompareRow(fields, want, got, nil, r, nil), "datas"), "an empty file matches %v", empty)
	}
	require.Equal(t, []string{"checksum", "mimetype", "name", "res_id"}, func() []string {
		_, f := batchQuery([]Expected{{Row: want, ID: 9}})
		return f
	}())
}

func diffOf(res Result, field string) []FieldDiff {
	var out []FieldDiff
	for _, d := range res.Diffs {
		if d.Field == field {
			out = append(out, d)
		}
	}
	return out
}
