package verify

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
)

// The built-in stock control, run whenever a plan migrates stock levels
// (stock.quant): each product's stock valuation in Odoo (total_value,
// from its valuation layers on 18 and its valued moves on 19) equals the
// counted quantities the source gives it times its cost (standard_price).
// Stock written as a quantity rather than counted and applied has no
// valuation (checked on Odoo 18: total_value stays 0), and shows here.
// Products with other stock in the target before the load differ too:
// the control is meant for an opening stock.

const nameValuation = "stock: valuation per product (counted quantity × cost)"

// stockTotals accumulates the counted quantity per product.
type stockTotals struct {
	qty map[string]float64 // product (external ID, or "#id") → quantity
}

// addStock feeds the stock control with a ready stock.quant row.
func (r *runner) addStock(e *pipeline.Entity, o pipeline.Outcome) {
	if e.Model != "stock.quant" || o.Row == nil {
		return
	}
	ref := asRef(o.Row.Values["product_id"])
	key := ref.ExternalID
	if key == "" && ref.ID != 0 {
		key = fmt.Sprintf("#%d", ref.ID)
	}
	if key == "" {
		return
	}
	q, _ := toFloat(o.Row.Values["inventory_quantity"])
	if r.stock.qty == nil {
		r.stock.qty = map[string]float64{}
	}
	r.stock.qty[key] += q
}

// stockControls compares the valuation per product; a target without
// stock valuation (no total_value on products) gives no control.
func (r *runner) stockControls(ctx context.Context) ([]ControlResult, error) {
	if len(r.stock.qty) == 0 {
		return nil, nil
	}
	defs, err := r.t.FieldsGet(ctx, "product.product", []string{"type"})
	if odoo.IsKind(err, odoo.KindAccess) {
		return []ControlResult{Skipped(nameValuation, "needs read access to products: "+firstLine(err.Error()))}, nil
	}
	if err != nil {
		return nil, err
	}
	if _, ok := defs["total_value"]; !ok {
		return nil, nil // stock valuation (stock_account) is not installed
	}
	res, err := r.valuation(ctx)
	if odoo.IsKind(err, odoo.KindAccess) {
		return []ControlResult{Skipped(nameValuation, "needs read access to products' valuation (stock_account): "+firstLine(err.Error()))}, nil
	}
	if err != nil {
		return nil, err
	}
	return []ControlResult{res}, nil
}

func (r *runner) valuation(ctx context.Context) (ControlResult, error) {
	byID := map[int64]string{}
	var ids []int64
	for key := range r.stock.qty {
		var id int64
		if _, err := fmt.Sscanf(key, "#%d", &id); err != nil {
			id = r.ix.byXML[key]
		}
		if id != 0 {
			byID[id] = key
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	source, target := map[string]float64{}, map[string]float64{}
	for _, chunk := range chunks(ids, 500) {
		recs, err := r.t.Read(ctx, "product.product", chunk, []string{"standard_price", "total_value"})
		if err != nil {
			return ControlResult{Name: nameValuation}, err
		}
		for _, p := range recs {
			key := byID[firstID(p["id"])]
			cost, _ := toFloat(p["standard_price"])
			value, _ := toFloat(p["total_value"])
			source[key] = math.Round(r.stock.qty[key]*cost*100) / 100
			target[key] = value
		}
	}
	for key := range r.stock.qty {
		if _, found := target[key]; !found {
			source[key] = 0 // the product is not in Odoo: the record diff reports it
		}
	}
	return CompareTotals(nameValuation, source, target, centTolerance), nil
}
