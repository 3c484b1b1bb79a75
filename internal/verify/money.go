package verify

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// fieldAttributes are the fields_get attributes comparisons need.
var fieldAttributes = []string{"type", "relation", "digits", "currency_field"}

// Precision is how a currency rounds amounts: res.currency's rounding
// (the step) and decimal_places.
type Precision struct {
	Step   float64
	Digits int
}

// Money knows how the target's currencies round. Odoo stores a monetary
// value rounded by the currency of its record (the field's currency_field
// — company_currency_id for a journal item's debit, currency_id for its
// amount in currency) and printed with that currency's decimal places, so
// 12.499 arrives as 12.50 in EUR and as 12 in JPY; comparisons round the
// wanted value the same way. It reads each currency once and is safe for
// concurrent use; a nil Money leaves monetary fields at their digits.
type Money struct {
	R     Reader
	mu    sync.Mutex
	known map[int64]Precision
}

// withCurrencies adds to fields the currency field of every monetary field
// among them, so a read brings the currency each amount is rounded by.
func withCurrencies(fields []string, schema map[string]Field) []string {
	have := map[string]bool{}
	for _, f := range fields {
		have[f] = true
	}
	out := append([]string(nil), fields...) // the caller's slice stays as it was
	for _, f := range fields {
		if c := schema[f].Currency; schema[f].Type == "monetary" && c != "" && !have[c] {
			have[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// Load reads the precision of the currencies the records' monetary fields
// are expressed in that Money does not know yet.
func (m *Money) Load(ctx context.Context, schema map[string]Field, recs []map[string]any) error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []int64
	seen := map[int64]bool{}
	for _, rec := range recs {
		for name := range rec {
			f := schema[name]
			if f.Type != "monetary" || f.Currency == "" {
				continue
			}
			for _, id := range gotIDs(rec[f.Currency]) {
				if _, ok := m.known[id]; !ok && !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	cur, err := m.R.Read(ctx, "res.currency", ids, []string{"rounding", "decimal_places"})
	if err != nil {
		return fmt.Errorf("verify: read the rounding of currencies %v: %w", ids, err)
	}
	if m.known == nil {
		m.known = map[int64]Precision{}
	}
	for _, c := range cur {
		id, _ := toFloat(c["id"])
		step, _ := toFloat(c["rounding"])
		digits, _ := toFloat(c["decimal_places"])
		m.known[int64(id)] = Precision{Step: step, Digits: int(digits)}
	}
	return nil
}

// field gives f the precision of the record's currency when f is a
// monetary field whose currency Money knows.
func (m *Money) field(f Field, rec map[string]any) Field {
	if m == nil || f.Type != "monetary" || f.Currency == "" {
		return f
	}
	ids := gotIDs(rec[f.Currency])
	if len(ids) != 1 {
		return f
	}
	m.mu.Lock()
	p, ok := m.known[ids[0]]
	m.mu.Unlock()
	if ok {
		f.Digits, f.Step = p.Digits, p.Step
	}
	return f
}
