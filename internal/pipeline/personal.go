package pipeline

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/plan"
)

// personalFields are the target fields that hold personal data, per
// model: what a test target must receive masked.
var personalFields = map[string][]string{
	"res.partner":      {"name", "email", "phone", "mobile", "street", "street2", "city", "zip", "vat", "comment", "website"},
	"res.users":        {"name", "login", "email", "phone", "mobile", "signature"},
	"res.partner.bank": {"acc_number", "acc_holder_name"},
	"hr.employee": {"name", "work_email", "private_email", "work_phone", "mobile_phone", "private_phone", "birthday",
		"identification_id", "passport_id", "ssnid", "bank_account_id", "private_street", "private_city", "private_zip"},
}

// identRE finds the columns an expression reads: row.col, or
// row["a column"] / row['a column'] for names that are no identifier.
var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*|\["([^"]*)"\]|\['([^']*)'\]`)

// checkUnmasked refuses, for a test target, every personal field whose
// expression reads no column the entity masks, unless the entity lists it
// under unmasked.
func (p *Pipeline) checkUnmasked(e *plan.Entity) {
	if p.plan.Target.Environment != "test" {
		return
	}
	personal := personalFields[e.Model]
	for _, fm := range e.Fields {
		if !slices.Contains(personal, fm.Field) || slices.Contains(e.Unmasked, fm.Field) || readsMasked(fm.Expr, e.Mask) {
			continue
		}
		p.planFinding(diag.Error, "SEC602", fm.Pos, e.Name, fm.Field,
			fmt.Sprintf("%s.%s holds personal data and the target is a test environment, but its value reads no masked column", e.Model, fm.Field),
			"add a mask: rule for the column it reads (ferry discover suggests one), or list the field under unmasked: to load it as it is (recorded in the audit log)")
	}
}

func readsMasked(expr string, mask map[string]string) bool {
	for _, m := range identRE.FindAllStringSubmatch(expr, -1) {
		for _, name := range m {
			if _, ok := mask[name]; ok && name != "" {
				return true
			}
		}
	}
	return false
}
