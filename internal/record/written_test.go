package record

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWrittenRoundTripsEveryValueType(t *testing.T) {
	r := Row{Values: map[string]any{"name": "Zoë", "n": int64(1) << 60, "f": 0.1, "b": false, "e": nil,
		"parent_id": Ref{ExternalID: "ns.c_1"}, "category_id": []Ref{{ExternalID: "ns.t_1"}, {ID: 7}}, "skipped": "x"},
		Lines: map[string][]Row{"invoice_line_ids": {{ExternalID: "ns.l_1"}, {ExternalID: "ns.l_2"}}}}
	sent := map[string]bool{"name": true, "n": true, "f": true, "b": true, "e": true, "parent_id": true, "category_id": true, "invoice_line_ids": true}
	s, err := r.Written(sent).Marshal()
	require.NoError(t, err)
	w, err := ParseWritten(s)
	require.NoError(t, err)
	require.Equal(t, r.Written(sent), w)
	require.NotContains(t, w.Values, "skipped")
	back := w.Row("e", "m", "ns.e_1")
	require.Equal(t, "ns.l_2", back.Lines["invoice_line_ids"][1].ExternalID)
	_, err = ParseWritten(`{"v":{"x":{"t":"?"}}}`)
	require.Error(t, err)
}
