// Package verify proves a load: it compares what was meant to arrive (the
// transformed source rows) with what Odoo holds, record by record and field
// by field, and sorts every record into one bucket: match, differ, missing
// (meant to arrive, not in Odoo) or extra (in Odoo under the plan's
// namespace, not meant to be there).
//
// Values are compared in canonical form, the way Odoo reads them back:
// empty is 0 for integer, 0.0 for float and monetary, false otherwise; ""
// and false are equal for char and text; floats at the field's digits,
// monetary amounts by the rounding of their record's currency (money.go);
// html
// after Odoo's sanitizer; dates and datetimes as UTC strings; relations by
// external ID (or database id when the plan named one); many2many as sets.
// Fields Odoo itself changes (computed, defaulted) can be excluded by name.
// An entity's translations are read back in each language (context lang)
// and differ as field[lang] (translations.go).
package verify
