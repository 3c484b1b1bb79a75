package snapshot

import (
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/goccy/go-yaml"
)

// Map is the user's --map file: what the upgrade renamed.
//
//	models:
//	  account.invoice:
//	    to: account.move
//	    domain: [["move_type", "!=", "entry"]]
//	    fields: {date_invoice: invoice_date}
type Map struct {
	Models map[string]ModelMap `yaml:"models" json:"models"`
}

// ModelMap renames one model and its fields; Domain restricts the new model
// when the after-snapshot is taken.
type ModelMap struct {
	To     string            `yaml:"to" json:"to"`
	Domain []any             `yaml:"domain" json:"domain"`
	Fields map[string]string `yaml:"fields" json:"fields"`
}

// ReadMap loads a map file, strictly.
func ReadMap(path string) (*Map, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot: read map %s: %w", path, err)
	}
	var m Map
	if err := yaml.UnmarshalWithOptions(b, &m, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("snapshot: map %s: %s", path, yaml.FormatError(err, false, true))
	}
	return &m, nil
}

// Target returns the after-upgrade model name and field map of model.
func (m *Map) Target(model string) (string, map[string]string) {
	if m != nil {
		if mm, ok := m.Models[model]; ok && mm.To != "" {
			return mm.To, mm.Fields
		}
		if mm, ok := m.Models[model]; ok {
			return model, mm.Fields
		}
	}
	return model, nil
}

// Change is one record whose fields differ.
type Change struct {
	ID     int64    `json:"id"`
	Fields []string `json:"fields"`
}

// TotalChange is one control total that moved.
type TotalChange struct {
	Field  string  `json:"field"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
}

// ModelDiff is what changed in one model.
type ModelDiff struct {
	Model       string        `json:"model"`
	After       string        `json:"after_model"`
	CountBefore int64         `json:"count_before"`
	CountAfter  int64         `json:"count_after"`
	Lost        []int64       `json:"lost,omitempty"`
	Added       []int64       `json:"added,omitempty"`
	Changed     []Change      `json:"changed,omitempty"`
	Totals      []TotalChange `json:"totals,omitempty"`
	MissingAll  bool          `json:"missing_after,omitempty"` // the model is absent after
}

// Clean reports whether nothing was lost, added or changed.
func (d ModelDiff) Clean() bool {
	return !d.MissingAll && d.CountBefore == d.CountAfter && len(d.Lost)+len(d.Added)+len(d.Changed)+len(d.Totals) == 0
}

// Compare lists, per model of before, what differs in after.
func Compare(before, after *Snapshot, m *Map) []ModelDiff {
	var out []ModelDiff
	for _, name := range before.ModelNames() {
		to, fields := m.Target(name)
		b := before.Models[name]
		a, ok := after.Models[to]
		d := ModelDiff{Model: name, After: to, CountBefore: b.Count, CountAfter: a.Count, MissingAll: !ok}
		if ok {
			d.Lost, d.Added, d.Changed = compareRecords(b.Records, a.Records, fields)
			d.Totals = compareTotals(b.Totals, a.Totals, fields)
		}
		out = append(out, d)
	}
	return out
}

func rename(fields map[string]string, f string) string {
	if to, ok := fields[f]; ok {
		return to
	}
	return f
}

func compareRecords(b, a map[int64]map[string]string, fields map[string]string) (lost, added []int64, changed []Change) {
	for id, bf := range b {
		af, ok := a[id]
		if !ok {
			lost = append(lost, id)
			continue
		}
		var names []string
		for f, h := range bf {
			if ah, has := af[rename(fields, f)]; has && ah != h {
				names = append(names, f)
			}
		}
		if len(names) > 0 {
			sort.Strings(names)
			changed = append(changed, Change{ID: id, Fields: names})
		}
	}
	for id := range a {
		if _, ok := b[id]; !ok {
			added = append(added, id)
		}
	}
	sortIDs(lost)
	sortIDs(added)
	sort.Slice(changed, func(i, j int) bool { return changed[i].ID < changed[j].ID })
	return lost, added, changed
}

func compareTotals(b, a map[string]float64, fields map[string]string) []TotalChange {
	var out []TotalChange
	for f, bv := range b {
		av, ok := a[rename(fields, f)]
		if !ok || round9(av) != round9(bv) {
			out = append(out, TotalChange{Field: f, Before: bv, After: av})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func sortIDs(ids []int64) { sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] }) }

func round9(x float64) float64 { return math.Round(x*1e9) / 1e9 }
