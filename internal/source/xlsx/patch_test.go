package xlsx

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// patchCell rewrites a cell's XML in the workbook's first worksheet, for
// cells excelize cannot write (cached error values).
func patchCell(t *testing.T, path, old, repl string) {
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		r.Close()
		if f.Name == "xl/worksheets/sheet1.xml" {
			found = strings.Contains(string(b), old)
			b = []byte(strings.Replace(string(b), old, repl, 1))
		}
		w, err := zw.Create(f.Name)
		require.NoError(t, err)
		_, err = w.Write(b)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, zr.Close())
	require.True(t, found, "cell XML %s not found", old)
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
}
