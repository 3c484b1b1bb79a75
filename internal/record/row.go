package record

// Ref points at a record in Odoo: by external ID (preferred, "module.name")
// or by database id. Ferry sends references as "<field>/id" or "<field>/.id",
// never as names.
type Ref struct {
	ExternalID string `json:"xmlid,omitempty"`
	ID         int64  `json:"id,omitempty"`
}

// Row is one record bound for Odoo. Values holds field name → value, where a
// value is nil (empty), string, int64, float64, bool, Ref (many2one) or []Ref
// (many2many). Dates are strings "YYYY-MM-DD" and datetimes
// "YYYY-MM-DD HH:MM:SS" in UTC. Lines holds one2many field → line rows, each
// with its own ExternalID. Translations holds translatable field →
// language code → value, written after the record with Odoo's translation
// API; "" means no translation in that language (Odoo falls back to en_US).
type Row struct {
	Entity     string           `json:"entity"`
	Model      string           `json:"model"`
	Key        string           `json:"key"`
	ExternalID string           `json:"xmlid"`
	Values     map[string]any   `json:"values"`
	Lines      map[string][]Row `json:"lines,omitempty"`
	Pos        Position         `json:"pos"`

	Translations map[string]map[string]string `json:"translations,omitempty"`
	// Reconcile are the documents the record is reconciled with once
	// loaded (an entity's reconcile:).
	Reconcile []Ref `json:"reconcile,omitempty"`
}
