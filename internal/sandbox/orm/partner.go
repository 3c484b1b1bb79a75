package orm

// Odoo keeps a contact's address and commercial fields in step with its
// parent company (res.partner _fields_sync; checked on Odoo 18): when a
// contact gets a parent, it takes the parent's address if the parent has
// one, and always the commercial fields (vat, company registry, industry).

var addressFields = []string{"street", "street2", "zip", "city", "state_id", "country_id"}

var commercialFields = []string{"vat", "company_registry", "industry_id"}

func (db *DB) syncPartner(m *Model, id int64, vals map[string]any) {
	if m.Name != "res.partner" {
		return
	}
	if _, ok := vals["parent_id"]; !ok {
		return
	}
	rec := m.recs[id]
	parent := m.recs[toInt(rec["parent_id"])]
	if parent == nil || (rec["type"] != nil && rec["type"] != "contact") {
		return
	}
	if hasAny(parent, addressFields) {
		copyFields(m, rec, parent, addressFields)
	}
	copyFields(m, rec, parent, commercialFields)
}

func hasAny(rec map[string]any, fields []string) bool {
	for _, f := range fields {
		if rec[f] != nil && rec[f] != "" {
			return true
		}
	}
	return false
}

func copyFields(m *Model, dst, src map[string]any, fields []string) {
	for _, f := range fields {
		if m.Fields[f] != nil {
			dst[f] = src[f]
		}
	}
}
