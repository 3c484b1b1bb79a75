package pipeline

import (
	"context"
	"fmt"
	"slices"

	"github.com/ferry-migrate/ferry/internal/mapping"
)

// lookupCompanies records the companies of records a lookup found, when
// an entity names its company (a model without a company field gives
// none).
func (p *Pipeline) lookupCompanies(ctx context.Context, model string, got map[string][]int64) error {
	cl, ok := p.opts.Lookups.(CompanyLookuper)
	if !ok || len(p.opts.Companies) == 0 {
		return nil
	}
	var ids []int64
	for _, list := range got {
		ids = append(ids, list...)
	}
	if len(ids) == 0 {
		return nil
	}
	comps, err := cl.RecordCompanies(ctx, model, ids)
	if err != nil {
		return fmt.Errorf("lookup %s: companies: %w", model, err)
	}
	if p.companies == nil {
		p.companies = map[string]map[int64][]int64{}
	}
	if p.companies[model] == nil {
		p.companies[model] = map[int64][]int64{}
	}
	for id, cs := range comps {
		p.companies[model][id] = cs
	}
	return nil
}

// checkCompany fails a lookup whose record belongs to other companies
// than the entity's (a record of no company is shared by all).
func (c *converter) checkCompany(x mapping.LookupValue, id int64) bool {
	want := c.r.p.opts.Companies[c.r.e.Name]
	cs := c.r.p.companies[x.Model][id]
	if want == 0 || len(cs) == 0 || slices.Contains(cs, want) {
		return true
	}
	c.fail("VAL323", fmt.Sprintf("%s %q (id %d) belongs to company id %v, not to company id %d the entity loads into", x.Model, x.Value, id, cs, want),
		"look the record up in the entity's company, or set the entity's company:")
	return false
}

// CompanyContext is the allowed_company_ids an entity's calls carry: its
// company first (Odoo's current company), then the others the run uses;
// nil when the entity names no company.
func (p *Pipeline) CompanyContext(entity string) []any {
	id := p.opts.Companies[entity]
	if id == 0 {
		return nil
	}
	out := []any{id}
	for _, c := range p.opts.AllowedCompanies {
		if c != id {
			out = append(out, c)
		}
	}
	return out
}
