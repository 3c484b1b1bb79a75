package plan

import (
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Plan is a decoded, checked plan file.
type Plan struct {
	Version   int                    `yaml:"version" json:"version" jsonschema:"enum=1"`
	Name      string                 `yaml:"name" json:"name" jsonschema:"minLength=1"`
	Namespace string                 `yaml:"namespace" json:"namespace" jsonschema:"pattern=^[a-z][a-z0-9_]*$"`
	Target    Target                 `yaml:"target" json:"target"`
	Sources   map[string]source.Spec `yaml:"sources" json:"sources"`
	Entities  []Entity               `yaml:"entities" json:"entities" jsonschema:"minItems=1"`
	Controls  []Control              `yaml:"controls,omitempty" json:"controls,omitempty"`
	// Accounting declares the cut-off and the source's balances there.
	Accounting *Accounting `yaml:"accounting,omitempty" json:"accounting,omitempty"`
	// Backup is "none" or the name of a backup configuration.
	Backup string        `yaml:"backup,omitempty" json:"backup,omitempty"`
	Load   LoadOptions   `yaml:"load,omitempty" json:"load,omitempty"`
	Verify VerifyOptions `yaml:"verify,omitempty" json:"verify,omitempty"`

	Dir    string `yaml:"-" json:"-"` // directory of the plan file; relative paths start here
	Digest string `yaml:"-" json:"-"` // sha256 of the plan file's bytes, hex
	File   string `yaml:"-" json:"-"` // path the plan was loaded from
}

// Target is the Odoo instance a plan writes to.
type Target struct {
	URL         string     `yaml:"url,omitempty" json:"url,omitempty"`
	Database    string     `yaml:"database,omitempty" json:"database,omitempty"`
	Login       string     `yaml:"login,omitempty" json:"login,omitempty"`
	Password    secret.Ref `yaml:"password,omitempty" json:"password,omitempty"`
	APIKey      secret.Ref `yaml:"api_key,omitempty" json:"api_key,omitempty"`
	Environment string     `yaml:"environment,omitempty" json:"environment,omitempty" jsonschema:"enum=test,enum=production"`
	Protocol    string     `yaml:"protocol,omitempty" json:"protocol,omitempty" jsonschema:"enum=auto,enum=json2,enum=jsonrpc,enum=xmlrpc"`
	Insecure    bool       `yaml:"insecure,omitempty" json:"insecure,omitempty"`
	CAFile      string     `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
	PinSHA256   string     `yaml:"pin_sha256,omitempty" json:"pin_sha256,omitempty"`
	// Schema is a schema snapshot of the target (fields_get per model,
	// written by ferry schema snapshot), relative to the plan. validate,
	// which never connects, checks against it unless --schema is given
	// (with neither, field checks are skipped); run --rehearse builds its
	// sandbox from it. Commands that connect to the target (run, verify)
	// read its own schema with fields_get instead.
	Schema string `yaml:"schema,omitempty" json:"schema,omitempty"`
}

// VerifyOptions tune verification.
type VerifyOptions struct {
	// Exclude lists, per model, fields Odoo computes or changes after the
	// load, which verification does not compare.
	Exclude map[string][]string `yaml:"exclude,omitempty" json:"exclude,omitempty"`
}

// LoadOptions tune the loader.
type LoadOptions struct {
	BatchSize       int            `yaml:"batch_size,omitempty" json:"batch_size,omitempty" jsonschema:"minimum=1,maximum=10000"`
	Workers         int            `yaml:"workers,omitempty" json:"workers,omitempty" jsonschema:"minimum=1,maximum=64"`
	Context         map[string]any `yaml:"context,omitempty" json:"context,omitempty"`
	TrackingDisable *bool          `yaml:"tracking_disable,omitempty" json:"tracking_disable,omitempty"`
	// MaxFileSize is the largest file file() reads (default 25 MiB); a
	// larger one quarantines its row. BatchBytes bounds the file bytes of
	// one load call (default 64 MiB). See files.go.
	MaxFileSize ByteSize `yaml:"max_file_size,omitempty" json:"max_file_size,omitempty"`
	BatchBytes  ByteSize `yaml:"batch_bytes,omitempty" json:"batch_bytes,omitempty"`
}

// Entity maps one source selection to one Odoo model.
type Entity struct {
	Name             string        `yaml:"name" json:"name" jsonschema:"pattern=^[a-z][a-z0-9_]*$"`
	Model            string        `yaml:"model" json:"model" jsonschema:"minLength=1"`
	From             source.Select `yaml:"from" json:"from"`
	Key              Keys          `yaml:"key" json:"key"`
	CaseSensitiveKey bool          `yaml:"case_sensitive_key,omitempty" json:"case_sensitive_key,omitempty"`
	PersonalKey      bool          `yaml:"personal_key,omitempty" json:"personal_key,omitempty"`
	Fields           FieldMaps     `yaml:"fields" json:"fields"`
	Lines            []Lines       `yaml:"lines,omitempty" json:"lines,omitempty"`
	Duplicates       []Duplicate   `yaml:"duplicates,omitempty" json:"duplicates,omitempty"`
	Rules            []Rule        `yaml:"rules,omitempty" json:"rules,omitempty"`
	Skip             []Filter      `yaml:"skip,omitempty" json:"skip,omitempty"`
	// Mask maps a source column to a masking kind (email, phone, person_name, ...).
	Mask map[string]string `yaml:"mask,omitempty" json:"mask,omitempty"`
	// Company is the company the entity's records belong to: its name in
	// Odoo, or its external ID (base.main_company). Ferry loads them with
	// that company first in allowed_company_ids, and a lookup() into a
	// company-bound model must find a record of that company (VAL323).
	Company string `yaml:"company,omitempty" json:"company,omitempty"`
	// Unmasked lists personal target fields deliberately loaded unmasked
	// into a test target (the choice is recorded in the audit log).
	Unmasked            []string `yaml:"unmasked,omitempty" json:"unmasked,omitempty"`
	AfterLoad           string   `yaml:"after_load,omitempty" json:"after_load,omitempty"`
	KeepTargetWhenEmpty []string `yaml:"keep_target_when_empty,omitempty" json:"keep_target_when_empty,omitempty"`
	UpdateMany2many     bool     `yaml:"update_many2many,omitempty" json:"update_many2many,omitempty"`
	OnDelete            string   `yaml:"on_delete,omitempty" json:"on_delete,omitempty" jsonschema:"enum=report,enum=archive"`
	AllowReadonly       []string `yaml:"allow_readonly,omitempty" json:"allow_readonly,omitempty"`
	BatchSize           int      `yaml:"batch_size,omitempty" json:"batch_size,omitempty" jsonschema:"minimum=1,maximum=10000"`
	DependsOn           []string `yaml:"depends_on,omitempty" json:"depends_on,omitempty"`
	// Translations are per-language values of translatable fields (see
	// translations.go).
	Translations Translations `yaml:"translations,omitempty" json:"translations,omitempty"`
	// Files names the source of kind files whose files the entity's
	// file() expressions read; MaxFileSize overrides load.max_file_size.
	Files       string   `yaml:"files,omitempty" json:"files,omitempty"`
	MaxFileSize ByteSize `yaml:"max_file_size,omitempty" json:"max_file_size,omitempty"`
	// Reconcile reconciles the records, once loaded and posted, with the
	// documents an expression names (see reconcile.go).
	Reconcile *Reconcile `yaml:"reconcile,omitempty" json:"reconcile,omitempty"`
}

// FieldMap is one `field: expression` of an entity, in plan order.
type FieldMap struct {
	Field string
	Expr  string
	Pos   Position
}

// Lines maps a second selection to a one2many field of the entity: each
// line row is joined to its parent by Join (the line columns holding the
// parent's key) and identified by LineKey, stable across runs.
type Lines struct {
	Field   string        `yaml:"field" json:"field" jsonschema:"minLength=1"`
	From    source.Select `yaml:"from" json:"from"`
	Join    Keys          `yaml:"join" json:"join"`
	LineKey Keys          `yaml:"line_key,omitempty" json:"line_key,omitempty"`
	Fields  FieldMaps     `yaml:"fields" json:"fields"`
	Rules   []Rule        `yaml:"rules,omitempty" json:"rules,omitempty"`
	// Replace deletes in Odoo the lines an earlier run wrote that the
	// source no longer has (Odoo's load keeps them; without replace they
	// are reported as line_missing_in_source).
	Replace bool `yaml:"replace,omitempty" json:"replace,omitempty"`
}

// Rule is a declared check. Exactly one of Required, Unique, Regex, Min/Max,
// In, Check or Ref says what is checked; Field names the mapped field (or
// source column) it applies to.
type Rule struct {
	Name     string   `yaml:"name,omitempty" json:"name,omitempty"`
	Field    string   `yaml:"field,omitempty" json:"field,omitempty"`
	Required []string `yaml:"required,omitempty" json:"required,omitempty"`
	Unique   []string `yaml:"unique,omitempty" json:"unique,omitempty"`
	Regex    string   `yaml:"regex,omitempty" json:"regex,omitempty"`
	Min      *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max      *float64 `yaml:"max,omitempty" json:"max,omitempty"`
	In       []string `yaml:"in,omitempty" json:"in,omitempty"`
	// Check is a boolean expression over row (source columns), out (mapped
	// values) and lines (one2many field → list of mapped line values).
	Check string `yaml:"check,omitempty" json:"check,omitempty"`
	// Ref names the plan entity whose key the field's value must be.
	Ref      string   `yaml:"ref,omitempty" json:"ref,omitempty"`
	Severity string   `yaml:"severity,omitempty" json:"severity,omitempty" jsonschema:"enum=error,enum=warning"`
	Message  string   `yaml:"message,omitempty" json:"message,omitempty"`
	Pos      Position `yaml:"-" json:"-"`
}

// Filter skips rows for which When is true, with a stated reason.
type Filter struct {
	Name   string   `yaml:"name" json:"name" jsonschema:"minLength=1"`
	When   string   `yaml:"when" json:"when" jsonschema:"minLength=1"`
	Reason string   `yaml:"reason" json:"reason" jsonschema:"minLength=1"`
	Pos    Position `yaml:"-" json:"-"`
}

// Duplicate declares a duplicate search over normalized column values:
// rows whose normalized value is equal form a group.
type Duplicate struct {
	Name      string `yaml:"name,omitempty" json:"name,omitempty"`
	Column    string `yaml:"column" json:"column" jsonschema:"minLength=1"`
	Normalize string `yaml:"normalize,omitempty" json:"normalize,omitempty" jsonschema:"enum=exact,enum=email,enum=phone,enum=vat,enum=text"`
	// Severity: warning (default) reports the group; error quarantines
	// every row of a group but the first (a merge rule).
	Severity string `yaml:"severity,omitempty" json:"severity,omitempty" jsonschema:"enum=error,enum=warning"`
}

// Control is a control total compared between source and target after a run.
type Control struct {
	Name      string        `yaml:"name" json:"name" jsonschema:"minLength=1"`
	Source    ControlSource `yaml:"source" json:"source"`
	Target    ControlTarget `yaml:"target" json:"target"`
	Tolerance float64       `yaml:"tolerance,omitempty" json:"tolerance,omitempty" jsonschema:"minimum=0"`
}

// ControlSource computes a control on the source: the rows of Entity that
// are meant to arrive (quarantined and skipped rows are reported apart, as
// the explained difference), or every row read from From; grouped by the
// GroupBy column (one group when empty), summing the Sum column (counting
// rows when empty). Ref names the entity whose external IDs the group keys
// are, so target groups (relations) match them.
type ControlSource struct {
	Entity  string        `yaml:"entity,omitempty" json:"entity,omitempty"`
	From    source.Select `yaml:"from,omitempty" json:"from,omitempty"`
	GroupBy string        `yaml:"group_by,omitempty" json:"group_by,omitempty"`
	Sum     string        `yaml:"sum,omitempty" json:"sum,omitempty"`
	Locale  string        `yaml:"locale,omitempty" json:"locale,omitempty"`
	Ref     string        `yaml:"ref,omitempty" json:"ref,omitempty"`
	// Where keeps the rows of From for which this expression is true.
	Where string `yaml:"where,omitempty" json:"where,omitempty"`
}

// ControlTarget computes a control on the target with read_group.
type ControlTarget struct {
	Model   string `yaml:"model" json:"model" jsonschema:"minLength=1"`
	Domain  []any  `yaml:"domain,omitempty" json:"domain,omitempty"`
	GroupBy string `yaml:"group_by,omitempty" json:"group_by,omitempty"`
	// GroupKey names a group by this field of the related record (code
	// for accounts) rather than by its display name.
	GroupKey string `yaml:"group_key,omitempty" json:"group_key,omitempty"`
	Sum      string `yaml:"sum,omitempty" json:"sum,omitempty"`
	// Negate compares the target's sums with their sign reversed (Odoo
	// keeps a payable as a negative balance).
	Negate bool `yaml:"negate,omitempty" json:"negate,omitempty"`
}

// Position is a place in the plan file.
type Position struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Path   string `json:"path,omitempty"` // YAML path, $.entities[0].fields.name
}

// String renders "file:line:column".
func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	return p.File + ":" + itoa(p.Line) + ":" + itoa(p.Column)
}

// Entity returns the entity named name, or nil.
func (p *Plan) Entity(name string) *Entity {
	for i := range p.Entities {
		if p.Entities[i].Name == name {
			return &p.Entities[i]
		}
	}
	return nil
}
