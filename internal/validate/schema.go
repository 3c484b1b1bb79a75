package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// Field is one field as fields_get describes it.
type Field struct {
	Name      string  `json:"name,omitempty"`
	Type      string  `json:"type"`
	String    string  `json:"string,omitempty"`
	Required  bool    `json:"required,omitempty"`
	Readonly  bool    `json:"readonly,omitempty"`
	Store     bool    `json:"store"`
	Relation  string  `json:"relation,omitempty"`
	Selection [][]any `json:"selection,omitempty"`
	Size      int     `json:"size,omitempty"`
	Translate bool    `json:"translate,omitempty"`
}

// Schema maps model → field name → field.
type Schema map[string]map[string]Field

// Snapshot is the file format of an offline schema: fields_get per model
// and the server's version.
type Snapshot struct {
	Models        map[string]map[string]Field `json:"models"`
	ServerVersion struct {
		ServerSerie string `json:"server_serie"`
		VersionInfo []any  `json:"server_version_info"`
	} `json:"server_version"`
}

// LoadSchema reads a schema snapshot file (the shape of a recorded
// fields_get export: {"models": {model: {field: attrs}}, "server_version": ...}).
func LoadSchema(path string) (Schema, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read schema %s: %w", path, errors.Unwrap(err))
	}
	return ParseSchema(b, path)
}

// ParseSchema decodes snapshot bytes; it returns the schema and the server's
// major version (0 when unknown).
func ParseSchema(b []byte, name string) (Schema, int, error) {
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, 0, fmt.Errorf("schema %s: %w", name, err)
	}
	if len(s.Models) == 0 {
		return nil, 0, fmt.Errorf("schema %s: no models", name)
	}
	for m, fs := range s.Models {
		for n, f := range fs {
			f.Name = n
			fs[n] = f
		}
		s.Models[m] = fs
	}
	major := 0
	if len(s.ServerVersion.VersionInfo) > 0 {
		if f, ok := s.ServerVersion.VersionInfo[0].(float64); ok {
			major = int(f)
		}
	}
	return Schema(s.Models), major, nil
}

// SelectionKeys returns a selection field's allowed keys.
func (f Field) SelectionKeys() []string {
	out := make([]string, 0, len(f.Selection))
	for _, kv := range f.Selection {
		if len(kv) > 0 {
			out = append(out, fmt.Sprint(kv[0]))
		}
	}
	return out
}
