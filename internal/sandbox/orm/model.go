package orm

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// Model is one model's fields and records.
type Model struct {
	Name   string
	Fields map[string]*Field
	recs   map[int64]map[string]any
	next   int64
}

// Field is one field as fields_get describes it. Attrs keeps every
// attribute of the snapshot for fields_get.
type Field struct {
	Name     string
	Type     string
	String   string
	Relation string
	Inverse  string // relation_field of a one2many
	Required bool
	Readonly bool
	Store    bool
	Attrs    map[string]any
}

func newModel(name string, fields map[string]map[string]any) *Model {
	m := &Model{Name: name, Fields: map[string]*Field{}, recs: map[int64]map[string]any{}, next: 1}
	for n, a := range fields {
		f := &Field{Name: n, Attrs: a}
		f.Type, _ = a["type"].(string)
		f.String, _ = a["string"].(string)
		f.Relation, _ = a["relation"].(string)
		f.Inverse, _ = a["relation_field"].(string)
		f.Required, _ = a["required"].(bool)
		f.Readonly, _ = a["readonly"].(bool)
		f.Store, _ = a["store"].(bool)
		m.Fields[n] = f
	}
	_, recorded := fields["id"] // a real fields_get lists id, and create/write dates unless the model has none (API keys)
	for _, n := range []string{"id", "display_name", "create_date", "write_date"} {
		if m.Fields[n] == nil && (!recorded || n == "display_name") {
			typ := map[string]string{"id": "integer", "display_name": "char"}[n]
			if typ == "" {
				typ = "datetime"
			}
			m.Fields[n] = &Field{Name: n, Type: typ, String: n, Readonly: true, Attrs: map[string]any{"type": typ, "string": n, "readonly": true}}
		}
	}
	return m
}

func (m *Model) nextID() int64 {
	id := m.next
	m.next++
	return id
}

func (m *Model) put(id int64, vals map[string]any) {
	m.recs[id] = vals
	if id >= m.next {
		m.next = id + 1
	}
}

func (m *Model) remove(id int64) { delete(m.recs, id) }

// ids returns the record ids in ascending order.
func (m *Model) ids() []int64 {
	out := make([]int64, 0, len(m.recs))
	for id := range m.recs {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// description is the model's label in Odoo's messages.
func (m *Model) description() string {
	if d, ok := modelLabels[m.Name]; ok {
		return d
	}
	return m.Name
}

var modelLabels = map[string]string{
	"res.partner": "Contact", "res.partner.bank": "Bank Accounts", "account.move": "Journal Entry",
	"account.move.line": "Journal Item", "product.product": "Product Variant", "product.template": "Product",
	"sale.order": "Sales Order", "sale.order.line": "Sales Order Line", "res.users": "User",
	"res.country": "Country", "res.currency": "Currency", "product.category": "Product Category",
	"ir.cron": "Scheduled Actions", "ir.mail_server": "Mail Server", "ir.config_parameter": "System Parameter",
	"ir.model.data": "Model Data", "res.users.apikeys": "Users API Keys", "res.groups": "Access Groups",
	"ir.module.module": "Module",
}

// digits are the decimal places Odoo rounds a float field to: the second
// of fields_get's digits (recorded from a fresh database's decimal
// precisions), -1 for a field without. Monetary fields round by their
// record's currency (money).
func (f *Field) digits() int {
	if d, ok := f.Attrs["digits"].([]any); ok && len(d) == 2 {
		return int(toInt(d[1]))
	}
	return -1
}

// money rounds a monetary value as Odoo stores it: by the rounding of the
// record's currency (the field's currency_field, fields_get's
// currency_field) — 12.499 is 12.5 in EUR and 12 in JPY. A record whose
// currency is empty keeps the value as written (checked on Odoo 18 and 19:
// a payment loaded with an empty currency reads back 12.345); a company
// currency is always the company's.
func (db *DB) money(m *Model, f *Field, rec map[string]any, x float64) float64 {
	cf, _ := f.Attrs["currency_field"].(string)
	cur := int64(0)
	if m.Fields[cf] != nil {
		cur = toInt(db.fieldValue(m.Fields[cf], cf, rec))
	}
	if cur == 0 && (cf == "company_currency_id" || cf == "") {
		cur = db.companyCurrency()
	}
	step, _ := db.models["res.currency"].recs[cur]["rounding"].(float64)
	if step == 0 {
		return x
	}
	if r := odoo.FloatRoundStep(x, step); r != 0 {
		return r
	}
	return 0 // no sign on a zero
}

// fromRead converts a value as read over RPC (a recording) to storage.
func (f *Field) fromRead(v any) any {
	switch f.Type {
	case "many2one":
		if p, ok := v.([]any); ok && len(p) > 0 {
			return toInt(p[0])
		}
		if v == false || v == nil {
			return nil
		}
		return toInt(v)
	case "many2many", "one2many":
		list, _ := v.([]any)
		out := make([]int64, 0, len(list))
		for _, x := range list {
			out = append(out, toInt(x))
		}
		return out
	}
	if v == false && f.Type != "boolean" {
		return nil
	}
	return normNumber(v)
}

func normNumber(v any) any {
	switch n := v.(type) {
	case int:
		return int64(n)
	case float64:
		return n
	}
	return v
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	case bool:
		if n {
			return 1
		}
	}
	return 0
}

// readValue renders a stored value the way read answers it.
func (db *DB) readValue(m *Model, id int64, f *Field, rec map[string]any) any {
	if v, ok := db.attachmentRead(m, f, rec); ok {
		return v
	}
	v := db.fieldValue(f, f.Name, rec)
	switch f.Type {
	case "integer":
		return toInt(v)
	case "float", "monetary":
		x, _ := v.(float64)
		if n, ok := v.(int64); ok {
			x = float64(n)
		}
		if f.Type == "monetary" {
			return db.money(m, f, rec, x)
		}
		return round(x, f.digits())
	case "boolean":
		b, _ := v.(bool)
		return b
	case "many2one":
		rid := toInt(v)
		if rid == 0 || db.models[f.Relation] == nil || db.models[f.Relation].recs[rid] == nil {
			return false
		}
		return []any{rid, db.displayName(db.models[f.Relation], rid)}
	case "one2many":
		return idsAny(db.o2mIDs(m, id, f))
	case "many2many":
		ids, _ := v.([]int64)
		return idsAny(ids)
	}
	if v == nil {
		return false
	}
	return v
}

func idsAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// o2mIDs lists the records whose inverse many2one points at id.
func (db *DB) o2mIDs(m *Model, id int64, f *Field) []int64 {
	cm := db.models[f.Relation]
	if cm == nil || f.Inverse == "" {
		return []int64{}
	}
	out := []int64{}
	for cid, rec := range cm.recs { // sorting only the matches: o2mIDs runs for every computed amount
		if toInt(rec[f.Inverse]) == id && (f.Name != "child_ids" || active(rec)) && (f.Name != "invoice_line_ids" || isInvoiceLine(rec)) {
			out = append(out, cid)
		}
	}
	slices.Sort(out)
	return out
}

func active(rec map[string]any) bool {
	b, ok := rec["active"].(bool)
	return !ok || b
}

// displayName is the record's display_name.
func (db *DB) displayName(m *Model, id int64) string {
	rec := m.recs[id]
	if rec == nil {
		return ""
	}
	name := text(db.fieldValue(m.Fields["name"], "name", rec))
	switch m.Name {
	case "res.partner":
		if pid := toInt(rec["parent_id"]); pid != 0 && rec["is_company"] != true && name != "" {
			if p := m.recs[pid]; p != nil {
				return text(p["name"]) + ", " + name
			}
		}
	case "account.move":
		if name == "" || name == "/" {
			return "Draft Invoice (* " + fmt.Sprint(id) + ")"
		}
	case "res.users":
		if name == "" {
			return text(rec["login"])
		}
	case "res.groups":
		if full := text(rec["full_name"]); full != "" {
			return full
		}
	case "ir.module.module":
		return text(rec["shortdesc"])
	case "ir.config_parameter":
		return text(rec["key"])
	case "product.product", "product.template":
		if code := text(rec["default_code"]); code != "" {
			return "[" + code + "] " + name
		}
	}
	if c, ok := rec["complete_name"].(string); ok && c != "" {
		return c
	}
	return name
}

func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

var scriptRE = regexp.MustCompile(`(?is)<script[^>]*>.*?</script>|<style[^>]*>.*?</style>`)

// sanitize is a small subset of Odoo's html sanitizer: scripts and styles
// go, and bare text is wrapped in a paragraph.
func sanitize(s string) string {
	if s == "" {
		return s
	}
	s = scriptRE.ReplaceAllString(s, "")
	if !strings.HasPrefix(strings.TrimSpace(s), "<") {
		s = "<p>" + s + "</p>"
	}
	return s
}
