package progress

import (
	"encoding/json"
	"io"
	"sync"
)

// JSONLines writes each event as one JSON object per line:
// {"event": kind, ...fields}.
type JSONLines struct {
	mu sync.Mutex
	w  io.Writer
}

// NewJSONLines returns a sink writing to w.
func NewJSONLines(w io.Writer) *JSONLines { return &JSONLines{w: w} }

// Emit writes e. Write errors are dropped: progress must never stop a run.
func (j *JSONLines) Emit(e Event) {
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	line := []byte(`{"event":"` + e.Kind() + `"}`)
	if len(b) > 2 { // not "{}"
		line = append([]byte(`{"event":"`+e.Kind()+`",`), b[1:]...)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_, _ = j.w.Write(append(line, '\n'))
}
