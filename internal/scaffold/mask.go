package scaffold

import "strings"

// maskKinds are the masking kinds of the personal fields a test target
// must receive masked (the pipeline's list, SEC602), per model.
var maskKinds = map[string]map[string]string{
	"res.partner": {"name": "person_name", "email": "email", "phone": "phone", "mobile": "phone", "street": "street",
		"street2": "street", "city": "city", "zip": "zip", "vat": "vat", "comment": "text", "website": "text"},
	"res.users":        {"name": "person_name", "login": "text", "email": "email", "phone": "phone", "mobile": "phone", "signature": "text"},
	"res.partner.bank": {"acc_number": "iban", "acc_holder_name": "person_name"},
	"hr.employee": {"name": "person_name", "work_email": "email", "private_email": "email", "work_phone": "phone",
		"mobile_phone": "phone", "private_phone": "phone", "birthday": "date_shift", "identification_id": "text",
		"passport_id": "text", "ssnid": "text", "private_street": "street", "private_city": "city", "private_zip": "zip"},
}

// maskLine is one column of the entity's mask: block.
type maskLine struct {
	column, kind, field string
	// unmasked: the column's name is no identifier, so the plan's check
	// cannot see that the field's expression reads it (row["E-Mail"]); the
	// field is listed under unmasked: although its column is masked.
	unmasked bool
}

// masks lists the mask of every mapped personal field's column.
func masks(model string, maps []fieldLine) []maskLine {
	kinds := maskKinds[model]
	var out []maskLine
	seen := map[string]bool{}
	for _, m := range maps {
		kind, ok := kinds[m.field]
		col := m.column
		if !ok || seen[col] {
			continue
		}
		seen[col] = true
		if kind == "person_name" && strings.Contains(Normalize(col), "company") {
			kind = "company_name"
		}
		out = append(out, maskLine{column: col, kind: kind, field: m.field, unmasked: !ident.MatchString(col) || exprWords[col]})
	}
	return out
}
