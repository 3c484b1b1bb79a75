package load

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/ferry-migrate/ferry/internal/record"
)

type printLine struct {
	XMLID  string         `json:"x"`
	Values map[string]any `json:"v"`
}

type printDoc struct {
	Model  string                 `json:"m"`
	XMLID  string                 `json:"x"`
	Values map[string]any         `json:"v"`
	Lines  map[string][]printLine `json:"l,omitempty"`
}

// Fingerprint is the hex SHA-256 of r's canonical JSON: model, external
// ID, values and lines (keys sorted), but not the source position, so a
// row that moved in its file is still unchanged.
func Fingerprint(r *record.Row) string {
	d := printDoc{Model: r.Model, XMLID: r.ExternalID, Values: r.Values}
	if len(r.Lines) > 0 {
		d.Lines = make(map[string][]printLine, len(r.Lines))
		for f, ls := range r.Lines {
			pl := make([]printLine, len(ls))
			for i, l := range ls {
				pl[i] = printLine{XMLID: l.ExternalID, Values: l.Values}
			}
			d.Lines[f] = pl
		}
	}
	b, err := json.Marshal(d)
	if err != nil { // a value JSON cannot carry (NaN): fmt sorts map keys too
		b = []byte(fmt.Sprintf("%#v", d))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
