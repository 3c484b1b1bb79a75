package record

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A file value keeps its size and SHA-1 in the ledger, never its bytes
// or where it was read; a reference by database id keeps its model and
// external ID.
func TestWrittenKeepsFilesByDigestAndIDRefs(t *testing.T) {
	f := &File{Name: "scans/a.pdf", Size: 3, SHA1: "a9993e364706816aba3e25717850c26c9cd0d89d", Data: []byte("abc")}
	r := Row{Values: map[string]any{"datas": f, "res_id": IDRef{Model: "account.move", ExternalID: "ns.invoices_1"}}}
	s, err := r.Written(nil).Marshal()
	require.NoError(t, err)
	require.NotContains(t, s, "scans/a.pdf")
	require.NotContains(t, s, "YWJj") // base64 of the bytes
	w, err := ParseWritten(s)
	require.NoError(t, err)
	require.Equal(t, &File{Size: 3, SHA1: f.SHA1}, w.Values["datas"])
	require.Equal(t, r.Values["res_id"], w.Values["res_id"])
}
