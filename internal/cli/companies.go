package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/plan"
)

// planCompanies resolves the company: of each entity that names one (a
// res.company name, or an external ID such as base.main_company) to its
// database id, and makes every later call of c allowed in those
// companies and the user's own, so records of each can be read back.
func planCompanies(ctx context.Context, c *odoo.Client, p *plan.Plan) (map[string]int64, []int64, error) {
	out := map[string]int64{}
	var allowed []int64
	for _, e := range p.Entities {
		if e.Company == "" {
			continue
		}
		id, err := companyID(ctx, c, e.Company)
		if err != nil {
			return nil, nil, Usage(fmt.Errorf("entity %s: company %q: %w", e.Name, e.Company, err))
		}
		out[e.Name] = id
		if !slices.Contains(allowed, id) {
			allowed = append(allowed, id)
		}
	}
	if len(out) == 0 {
		return out, nil, nil
	}
	user, err := c.Read(ctx, "res.users", []int64{c.UID()}, []string{"company_id"})
	if err != nil {
		return nil, nil, err
	}
	if own := firstID(user); own != 0 && !slices.Contains(allowed, own) {
		allowed = append(allowed, own)
	}
	ctxIDs := make([]any, len(allowed))
	for i, id := range allowed {
		ctxIDs[i] = id
	}
	c.SetContext("allowed_company_ids", ctxIDs)
	return out, allowed, nil
}

// companyID finds a company by external ID or by exact name.
func companyID(ctx context.Context, c *odoo.Client, name string) (int64, error) {
	if strings.Contains(name, ".") && !strings.Contains(name, " ") {
		if model, id, err := c.Resolve(ctx, name); err == nil && model == "res.company" {
			return id, nil
		}
	}
	ids, err := c.Search(ctx, "res.company", odoo.Domain{[]any{"name", "=", name}}, odoo.Page{})
	switch {
	case err != nil:
		return 0, err
	case len(ids) == 0:
		return 0, fmt.Errorf("no such company in the target (give its name as Odoo shows it, or its external ID)")
	case len(ids) > 1:
		return 0, fmt.Errorf("%d companies have this name: give its external ID", len(ids))
	}
	return ids[0], nil
}

func firstID(recs []map[string]any) int64 {
	if len(recs) == 0 {
		return 0
	}
	if pair, ok := recs[0]["company_id"].([]any); ok && len(pair) > 0 {
		id, _ := pair[0].(int64)
		return id
	}
	return 0
}

// RecordCompanies reads the company of each record (company_id, or
// company_ids where the model has several).
func (l lookups) RecordCompanies(ctx context.Context, model string, ids []int64) (map[int64][]int64, error) {
	fields, err := l.c.FieldsGet(ctx, model, []string{"type", "relation"})
	if err != nil {
		return nil, err
	}
	field := ""
	for _, f := range []string{"company_id", "company_ids"} {
		if fd, ok := fields[f]; ok && fd["relation"] == "res.company" && field == "" {
			field = f
		}
	}
	if field == "" {
		return nil, nil // not bound to a company
	}
	recs, err := l.c.Read(ctx, model, ids, []string{field})
	if err != nil {
		return nil, err
	}
	out := map[int64][]int64{}
	for _, r := range recs {
		id, _ := r["id"].(int64)
		switch v := r[field].(type) {
		case []any:
			if field == "company_id" && len(v) == 2 {
				cid, _ := v[0].(int64)
				out[id] = []int64{cid}
				continue
			}
			for _, x := range v {
				if cid, ok := x.(int64); ok {
					out[id] = append(out[id], cid)
				}
			}
		}
	}
	return out, nil
}
