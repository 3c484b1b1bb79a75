package mapping

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFileFunctions(t *testing.T) {
	c := newTestCompiler(t)
	row := map[string]any{"file": " scans/INV 1.PDF ", "blob": []byte("%PDF"), "empty": "", "nil": nil, "n": int64(3)}
	cases := []struct {
		src  string
		want any
	}{
		{`file(row.file)`, &FileValue{Name: "scans/INV 1.PDF"}},
		{`file(row.blob)`, &FileValue{Data: []byte("%PDF")}},
		{`file(row.empty)`, nil},
		{`file(row.nil)`, nil},
		{`mimetype(row.file)`, "application/pdf"},
		{`mimetype("a.DOCX")`, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{`mimetype("README")`, "application/octet-stream"},
		{`mimetype(row.nil)`, nil},
	}
	r := &Runner{}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			p, err := c.Compile(tc.src)
			require.NoError(t, err)
			got, err := r.Run(p, map[string]any{"row": row})
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	p, err := c.Compile(`file(row.n)`)
	require.NoError(t, err)
	_, err = r.Run(p, map[string]any{"row": row})
	var f *Finding
	require.ErrorAs(t, err, &f)
	require.Equal(t, "MAP201", f.Code)
	require.Contains(t, f.Msg, "want a file name or bytes")
}
