package progress

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestJSONLinesTagsEachEvent(t *testing.T) {
	var buf bytes.Buffer
	s := NewJSONLines(&buf)
	s.Emit(BatchCommitted{Entity: "customers", Batch: 3, Loaded: 10})
	s.Emit(Message{Level: "warning", Text: "x"})
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	require.Len(t, lines, 2)
	var m map[string]any
	require.NoError(t, json.Unmarshal(lines[0], &m))
	require.Equal(t, "batch_committed", m["event"])
	require.Equal(t, "customers", m["entity"])
	require.InDelta(t, 10, m["loaded"], 0)
	require.NoError(t, json.Unmarshal(lines[1], &m))
	require.Equal(t, "message", m["event"])
}

func TestCountsIdentity(t *testing.T) {
	require.True(t, Counts{Read: 5, Loaded: 2, Unchanged: 1, Quarantined: 1, Skipped: 1}.Holds())
	require.False(t, Counts{Read: 5, Loaded: 2}.Holds())
}
