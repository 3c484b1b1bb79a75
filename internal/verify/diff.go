package verify

import (
	"context"
	"fmt"
	"sort"

	"github.com/ferry-migrate/ferry/internal/record"
)

// Status is the bucket a record lands in.
type Status string

// Buckets, as in a reconciliation: every record is in exactly one.
const (
	Match   Status = "match"
	Differ  Status = "differ"
	Missing Status = "missing"
	Extra   Status = "extra"
)

// FieldDiff is one differing field with both canonical values.
type FieldDiff struct {
	Field string `json:"field"`
	Want  string `json:"want"`
	Got   string `json:"got"`
}

// Result is the verdict on one record.
type Result struct {
	Entity     string      `json:"entity"`
	Model      string      `json:"model"`
	ExternalID string      `json:"xmlid"`
	ID         int64       `json:"id,omitempty"`
	Status     Status      `json:"status"`
	Diffs      []FieldDiff `json:"diffs,omitempty"`
}

// Schema gives the target fields of a model by name.
type Schema func(model string) map[string]Field

// CompareRow compares the row Ferry meant to write with the record Odoo
// returned (read with the row's fields and the currencies of its monetary
// fields, rounded as m knows them). Excluded fields are skipped; a
// field the schema does not know is compared as text. One2many fields
// compare the set of line external IDs.
func CompareRow(fields map[string]Field, want record.Row, got map[string]any, exclude map[string]bool, r Resolver, m *Money) Result {
	res := Result{Entity: want.Entity, Model: want.Model, ExternalID: want.ExternalID, Status: Match}
	if id, ok := toFloat(got["id"]); ok {
		res.ID = int64(id)
	}
	for _, name := range wantedFields(want) {
		if exclude[name] || syncedFromParent(want, got, name) {
			continue
		}
		f, ok := fields[name]
		if !ok {
			f = Field{Name: name, Type: "char", Digits: -1}
		}
		gotName := name
		if want.Model == "stock.quant" && name == "inventory_quantity" {
			gotName = "quantity" // applying the inventory moves the count into quantity
		}
		gotName = readName(want.Model, gotName, wantValue(want, name)) // an attachment's checksum
		f = m.field(readField(f, name, gotName), got)
		if w, g, eq := compareField(f, wantValue(want, name), got[gotName], r); !eq {
			res.Diffs = append(res.Diffs, FieldDiff{Field: name, Want: w, Got: g})
		}
	}
	if len(res.Diffs) > 0 {
		res.Status = Differ
	}
	return res
}

// wantedFields lists the row's fields and one2many fields in name order.
func wantedFields(row record.Row) []string {
	names := make([]string, 0, len(row.Values)+len(row.Lines))
	for n := range row.Values {
		names = append(names, n)
	}
	for n := range row.Lines {
		if _, dup := row.Values[n]; !dup {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func wantValue(row record.Row, name string) any {
	if lines, ok := row.Lines[name]; ok {
		refs := make([]record.Ref, len(lines))
		for i, l := range lines {
			refs[i] = record.Ref{ExternalID: l.ExternalID}
		}
		return refs
	}
	return row.Values[name]
}

// Reader reads records by database id (odoo.Client.Read satisfies it
// through a small adapter). Missing ids are silently absent, as in Odoo.
type Reader interface {
	Read(ctx context.Context, model string, ids []int64, fields []string) ([]map[string]any, error)
}

// Expected is one row to verify with the database id the ledger holds for
// its external ID (0 when the ledger has none).
type Expected struct {
	Row record.Row
	ID  int64
}

// Verifier compares expected rows with the target in batches.
type Verifier struct {
	Reader    Reader
	Schema    Schema
	Resolver  Resolver
	Money     *Money
	Exclude   map[string]bool
	BatchSize int
}

// Batch verifies rows of one model and calls emit with one Result per row.
func (v *Verifier) Batch(ctx context.Context, model string, rows []Expected, emit func(Result)) error {
	schema := v.Schema(model)
	ids, fields := batchQuery(rows)
	got := map[int64]map[string]any{}
	if len(ids) > 0 {
		recs, err := v.Reader.Read(ctx, model, ids, withCurrencies(fields, schema))
		if err != nil {
			return fmt.Errorf("verify: read %d %s records: %w", len(ids), model, err)
		}
		if err := v.Money.Load(ctx, schema, recs); err != nil {
			return err
		}
		for _, rec := range recs {
			if id, ok := toFloat(rec["id"]); ok {
				got[int64(id)] = rec
			}
		}
	}
	for _, e := range rows {
		rec, ok := got[e.ID]
		if e.ID == 0 || !ok {
			emit(Result{Entity: e.Row.Entity, Model: model, ExternalID: e.Row.ExternalID, ID: e.ID, Status: Missing})
			continue
		}
		emit(CompareRow(schema, e.Row, rec, v.Exclude, v.Resolver, v.Money))
	}
	return nil
}

// partnerSync are the fields Odoo copies from a contact's parent company
// (its address and commercial fields; checked on Odoo 18): a contact whose
// row leaves them empty gets the company's values.
var partnerSync = map[string]bool{"street": true, "street2": true, "zip": true, "city": true, "state_id": true,
	"country_id": true, "vat": true, "company_registry": true, "industry_id": true}

// syncedFromParent reports a field Odoo filled from the parent company on
// a contact whose row left it empty.
func syncedFromParent(want record.Row, got map[string]any, name string) bool {
	if want.Model != "res.partner" || !partnerSync[name] || len(gotIDs(got["parent_id"])) == 0 || got["type"] != "contact" {
		return false
	}
	v := wantValue(want, name)
	return v == nil || v == "" || v == false
}

// contextFields are the fields read besides the wanted ones, to compare
// the way Odoo behaves: a quant's applied count, and a partner's parent
// and type (to recognise what Odoo syncs from a parent company).
func contextFields(model string) []string {
	switch model {
	case "stock.quant":
		return []string{"quantity"}
	case "res.partner":
		return []string{"parent_id", "type"}
	}
	return nil
}

func batchQuery(rows []Expected) (ids []int64, fields []string) {
	seen := map[string]bool{}
	if len(rows) > 0 {
		for _, f := range contextFields(rows[0].Row.Model) {
			seen[f] = true
			fields = append(fields, f)
		}
	}
	for _, e := range rows {
		if e.ID != 0 {
			ids = append(ids, e.ID)
		}
		for _, f := range wantedFields(e.Row) {
			f = readName(e.Row.Model, f, wantValue(e.Row, f))
			if !seen[f] {
				seen[f] = true
				fields = append(fields, f)
			}
		}
	}
	sort.Strings(fields)
	return ids, fields
}

// Extras lists target external IDs under the plan's namespace that no
// expected row claims: records that should not be there.
func Extras(entity, model string, want map[string]bool, target map[string]int64) []Result {
	var out []Result
	for x, id := range target {
		if !want[x] {
			out = append(out, Result{Entity: entity, Model: model, ExternalID: x, ID: id, Status: Extra})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ExternalID < out[j].ExternalID })
	return out
}
