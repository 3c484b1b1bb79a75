package orm

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// cell converts one load cell for field c.path[0] of m. It returns skip
// for a cell that sets nothing, or a message when the cell is refused.
func (r *loadRun) cell(m *Model, c column, cell string) (any, map[string]any) {
	f := m.Fields[c.path[0]]
	switch relational := f.Type == "many2one" || f.Type == "many2many" || f.Type == "one2many"; {
	case relational && len(c.path) > 1 && c.path[1] == "id":
		return r.byXMLID(f, cell)
	case relational && len(c.path) > 1 && c.path[1] == ".id":
		return r.byDBID(f, cell)
	} // a sub-field of any other field (res_id/id) is the field's own value, as in Odoo
	if cell == "" {
		if f.Type == "boolean" {
			return false, nil
		}
		return nil, nil
	}
	switch f.Type {
	case "boolean":
		return parseBool(f, cell)
	case "integer", "many2one_reference":
		n, err := strconv.ParseInt(strings.TrimSpace(cell), 10, 64)
		if err != nil {
			return nil, convError(f, fmt.Sprintf("'%s' does not seem to be an integer for field '%s'", cell, f.String), nil)
		}
		return n, nil
	case "float", "monetary":
		x, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
		if err != nil {
			return nil, convError(f, fmt.Sprintf("'%s' does not seem to be a number for field '%s'", cell, f.String), nil)
		}
		return x, nil
	case "date":
		if _, err := time.Parse("2006-01-02", cell); err != nil {
			return nil, convError(f, fmt.Sprintf("'%s' does not seem to be a valid date for field '%s'", cell, f.String), "Use the format '2012-12-31'")
		}
		return cell, nil
	case "datetime":
		t, err := time.ParseInLocation("2006-01-02 15:04:05", cell, r.tz)
		if err != nil {
			return nil, convError(f, fmt.Sprintf("'%s' does not seem to be a valid datetime for field '%s'", cell, f.String), "Use the format '2012-12-31 23:59:59'")
		}
		return t.UTC().Format("2006-01-02 15:04:05"), nil
	case "selection":
		return parseSelection(f, cell)
	case "many2one":
		return r.byName(f, cell)
	case "many2many":
		return r.m2mByName(f, cell)
	case "html":
		return sanitize(cell), nil
	}
	return cell, nil
}

func convError(f *Field, msg string, more any) map[string]any {
	m := map[string]any{"type": "error", "field": f.Name, "message": msg, "field_name": f.String}
	if more != nil {
		m["moreinfo"] = more
	}
	return m
}

func parseBool(f *Field, cell string) (any, map[string]any) {
	switch strings.ToLower(strings.TrimSpace(cell)) {
	case "1", "true", "yes":
		return true, nil
	case "0", "false", "no":
		return false, nil
	}
	return nil, convError(f, fmt.Sprintf("Unknown value '%s' for boolean field '%s'", cell, f.String), "Use '1' for yes and '0' for no")
}

func parseSelection(f *Field, cell string) (any, map[string]any) {
	sel, _ := f.Attrs["selection"].([]any)
	for _, p := range sel {
		kv, _ := p.([]any)
		if len(kv) < 2 {
			continue
		}
		if k := fmt.Sprint(kv[0]); k == cell || strings.EqualFold(fmt.Sprint(kv[1]), cell) {
			return k, nil
		}
	}
	return nil, convError(f, fmt.Sprintf("Value '%s' not found in selection field '%s'", cell, f.String), selectionLabels(f))
}

func possibleValues(model string, domain []any) map[string]any {
	m := map[string]any{"name": "Possible Values", "type": "ir.actions.act_window", "target": "new",
		"view_mode": "list,form", "views": []any{[]any{false, "list"}, []any{false, "form"}},
		"context": map[string]any{"create": false}, "help": "See all possible values", "res_model": model}
	if domain != nil {
		m["domain"] = domain
	}
	return m
}

func (r *loadRun) byXMLID(f *Field, cell string) (any, map[string]any) {
	if cell == "" {
		if f.Type == "many2many" {
			return []int64{}, nil
		}
		return nil, nil
	}
	var ids []int64
	for _, x := range strings.Split(cell, ",") {
		x = strings.TrimSpace(x)
		ref, ok := r.db.xmlids[qualified(x)]
		if !ok || ref.model != f.Relation || r.db.models[f.Relation].recs[ref.id] == nil {
			return nil, convError(f, fmt.Sprintf("No matching record found for external id '%s' in field '%s'", x, f.String),
				possibleValues("ir.model.data", []any{[]any{"model", "=", f.Relation}}))
		}
		ids = append(ids, ref.id)
	}
	if f.Type == "many2many" {
		return ids, nil
	}
	return ids[0], nil
}

func (r *loadRun) byDBID(f *Field, cell string) (any, map[string]any) {
	if cell == "" {
		return nil, nil
	}
	var ids []int64
	rm := r.db.models[f.Relation]
	for _, s := range strings.Split(cell, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || rm == nil || rm.recs[n] == nil {
			return nil, convError(f, fmt.Sprintf("No matching record found for database id '%s' in field '%s'", s, f.String), possibleValues(f.Relation, nil))
		}
		ids = append(ids, n)
	}
	if f.Type == "many2many" {
		return ids, nil
	}
	return ids[0], nil
}

// byName resolves a relation cell the way Odoo's import does: an exact
// name_search; several matches give a warning and the first record.
func (r *loadRun) byName(f *Field, cell string) (any, map[string]any) {
	rm := r.db.models[f.Relation]
	ids, _ := r.db.nameMatches(rm, cell, "=", nil, nil, 0)
	switch len(ids) {
	case 0:
		return nil, convError(f, fmt.Sprintf("No matching record found for name '%s' in field '%s'", cell, f.String), possibleValues(f.Relation, nil))
	case 1:
		return ids[0], nil
	}
	r.sortByName(rm, ids)
	r.fail(r.ri, r.sp, map[string]any{"type": "warning", "field": f.Name,
		"message": fmt.Sprintf("Found multiple matches for value \"%s\" in field \"%s\" (%d matches)", cell, f.String, len(ids))})
	return ids[0], nil
}

// sortByName orders records as the model's _order does (partners: by
// name, newest first among equals).
func (r *loadRun) sortByName(m *Model, ids []int64) {
	sort.SliceStable(ids, func(i, j int) bool {
		a, b := r.db.displayName(m, ids[i]), r.db.displayName(m, ids[j])
		if a != b {
			return a < b
		}
		if m.Name == "res.partner" {
			return ids[i] > ids[j]
		}
		return ids[i] < ids[j]
	})
}

func (r *loadRun) m2mByName(f *Field, cell string) (any, map[string]any) {
	var ids []int64
	for _, part := range strings.Split(cell, ",") {
		v, msg := r.byName(f, strings.TrimSpace(part))
		if msg != nil {
			return nil, msg
		}
		ids = append(ids, toInt(v))
	}
	return ids, nil
}
