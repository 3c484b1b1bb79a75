package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"
)

// FormatVersion is the snapshot file's format version.
const FormatVersion = 1

// Snapshot is the state of one Odoo database at one moment.
type Snapshot struct {
	Format   int              `json:"format"`
	TakenAt  time.Time        `json:"taken_at"`
	Server   string           `json:"server_version"`
	Database string           `json:"database"`
	Models   map[string]Model `json:"models"`
}

// Model is one model's part of a snapshot. Records maps database id to
// field name to a short hash of the field's canonical value; Totals maps a
// numeric field to its sum over all records.
type Model struct {
	Count   int64                       `json:"count"`
	Fields  []string                    `json:"fields"`
	Domain  []any                       `json:"domain,omitempty"`
	Records map[int64]map[string]string `json:"records,omitempty"`
	Totals  map[string]float64          `json:"totals,omitempty"`
}

// FieldHash is the short hash stored per field: 12 hex digits of SHA-256
// over the canonical JSON of the value as Odoo read it (many2one reduced to
// its id, so a renamed display name does not count as a change).
func FieldHash(v any) string {
	if pair, ok := v.([]any); ok && len(pair) == 2 {
		if _, isName := pair[1].(string); isName {
			v = pair[0]
		}
	}
	b, _ := json.Marshal(normalizeNumber(v))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// normalizeNumber makes 3, 3.0 and json.Number("3") hash alike.
func normalizeNumber(v any) any {
	switch x := v.(type) {
	case int64:
		return strconv.FormatFloat(float64(x), 'g', -1, 64)
	case int:
		return strconv.FormatFloat(float64(x), 'g', -1, 64)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		f, err := x.Float64()
		if err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	return v
}

// Write stores s as indented JSON with mode 0600.
func Write(path string, s *Snapshot) error {
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return fmt.Errorf("snapshot: encode: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("snapshot: write %s: %w", path, err)
	}
	return nil
}

// Read loads a snapshot file and checks its format version.
func Read(path string) (*Snapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot: read %s: %w", path, err)
	}
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("snapshot: %s is not a snapshot: %w", path, err)
	}
	if s.Format != FormatVersion {
		return nil, fmt.Errorf("snapshot: %s has format %d, this Ferry reads %d", path, s.Format, FormatVersion)
	}
	return &s, nil
}

// ModelNames returns the snapshot's model names sorted.
func (s *Snapshot) ModelNames() []string {
	out := make([]string, 0, len(s.Models))
	for m := range s.Models {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}
