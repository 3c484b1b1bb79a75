package diag

// Code documents one finding code. Every code Ferry emits is declared in
// Codes, so `ferry list codes` and the README table come from one place.
type Code struct {
	Code    string
	Summary string
}

// Codes is the registry of finding codes. Packages add their codes here
// (never reuse or renumber a code).
var Codes = []Code{}

// Plan (CFG1xx), mapping (MAP2xx) and validation (VAL3xx) codes.
var planCodes = []Code{
	{"CFG100", "the plan file is not valid YAML"},
	{"CFG101", "the plan does not match its schema: unknown key, wrong type or missing key"},
	{"CFG102", "a literal secret in the plan; write {env: NAME} or {file: PATH}"},
	{"CFG103", "reference to a source or entity the plan does not declare"},
	{"CFG104", "two entities share a name"},
	{"CFG105", "one2many lines without a line_key"},
	{"CFG106", "a rule declares no check, several checks, or lacks its field, or is unique under lines"},
	{"CFG107", "unsupported plan version"},
	{"CFG108", "invalid regular expression in a rule"},
	{"MAP200", "an expression does not compile"},
	{"MAP201", "an expression failed on a row"},
	{"MAP202", "duplicate key within an entity: every row but the first is quarantined"},
	{"MAP203", "empty key"},
	{"MAP204", "two keys differ only by case (declare case_sensitive_key to allow)"},
	{"MAP205", "the namespace is the name of an Odoo module"},
	{"MAP206", "ref() names an entity the plan does not declare"},
	{"MAP207", "lookup() found no record"},
	{"MAP208", "lookup() found several records"},
	{"MAP209", "lookup() not checked: no target connection"},
	{"MAP210", "the source could not read the row cleanly"},
	{"MAP211", "a line whose parent key matches no parent row"},
	{"MAP212", "duplicate line key within a parent"},
	{"MAP213", "a date or datetime that cannot be parsed"},
	{"MAP214", "a number that cannot be parsed"},
	{"MAP215", "a boolean that cannot be parsed"},
	{"MAP216", "a value map has no entry for a value"},
	{"MAP217", "masking failed"},
	{"MAP218", "entities reference each other: loaded in two passes (create, then link)"},
	{"VAL300", "the model does not exist in the target"},
	{"VAL301", "the field does not exist on the model"},
	{"VAL302", "the value does not convert to the field's type"},
	{"VAL303", "a required field is empty"},
	{"VAL304", "the value is not one of the selection's keys"},
	{"VAL305", "the text is longer than the field's size"},
	{"VAL306", "a relational value is not a reference of the right model"},
	{"VAL307", "the mapping writes state, a readonly or a computed field (allow_readonly to permit)"},
	{"VAL308", "rule required: a field is empty"},
	{"VAL309", "rule unique: a value repeats"},
	{"VAL310", "rule regex: the value does not match"},
	{"VAL311", "rule range: the value is out of range"},
	{"VAL312", "rule in: the value is not in the set"},
	{"VAL313", "rule check: the expression is false"},
	{"VAL314", "a reference to a row the plan does not load (missing or quarantined)"},
	{"VAL315", "possible duplicates: rows equal after normalization"},
	{"VAL316", "journal entry lines do not balance"},
	{"VAL317", "currency or company differ between a document and its lines"},
	{"VAL318", "units of measure of different categories"},
	{"VAL319", "a one2many field mapped directly; use lines:"},
	{"VAL320", "a line of the row has an error: the whole row is quarantined"},
	{"VAL321", "a password is mapped: passwords are never migrated"},
	{"SEC601", "a source connection the user chose to leave unencrypted"},
	{"SEC602", "a personal field loaded unmasked into a test target"},
	{"VAL323", "a lookup finds a record of another company than the entity's"},
}

func init() { Codes = append(Codes, planCodes...) }
