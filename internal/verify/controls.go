package verify

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Grouper computes aggregates on the target; *odoo.Client satisfies it.
type Grouper interface {
	ReadGroup(ctx context.Context, model string, domain odoo.Domain, aggregates, groupby []string) ([]map[string]any, error)
}

// controlResults evaluates the plan's control totals: each on the source
// (summed while the entity streamed, or from the control's selection) and
// on the target (read_group), compared with the control's tolerance. A
// control the user may not evaluate (no read access) is not checked,
// never passed.
func controlResults(ctx context.Context, p *pipeline.Pipeline, t Target, sums map[string]map[string]float64) ([]ControlResult, error) {
	pl := p.Plan()
	var ix *index
	var out []ControlResult
	for _, c := range append(append([]plan.Control(nil), pl.Controls...), pl.AccountingControls()...) {
		src, err := sums[c.Name], error(nil)
		if c.Source.Entity == "" {
			src, err = sourceTotals(ctx, p, c.Source)
		}
		if err != nil {
			return nil, fmt.Errorf("control %q: source: %w", c.Name, err)
		}
		if ix == nil && c.Source.Ref != "" {
			if ix, err = loadIndex(ctx, t, pl.Namespace); err != nil {
				return nil, err
			}
		}
		tgt, err := targetTotals(ctx, t, c.Target, groupNamer(pl, c.Source.Ref, ix))
		if odoo.IsKind(err, odoo.KindAccess) {
			out = append(out, Skipped(c.Name, fmt.Sprintf("needs read access to %s", c.Target.Model)))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("control %q: target: %w", c.Name, err)
		}
		out = append(out, CompareTotals(c.Name, src, tgt, c.Tolerance))
	}
	return out, nil
}

// sourceTotals sums (or counts) every row of the control's selection.
func sourceTotals(ctx context.Context, p *pipeline.Pipeline, cs plan.ControlSource) (map[string]float64, error) {
	s, err := p.OpenSource(ctx, cs.From)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if _, err := s.Schema(ctx); err != nil {
		return nil, err
	}
	keep := func(map[string]any) (bool, error) { return true, nil }
	if cs.Where != "" {
		if keep, err = p.Condition(cs.Where); err != nil {
			return nil, fmt.Errorf("where: %w", err)
		}
	}
	out := map[string]float64{}
	err = s.Scan(ctx, record.Position{}, func(r *record.Record) error {
		ok, err := keep(r.Values)
		if err != nil {
			return fmt.Errorf("%s: where: %w", r.Pos, err)
		}
		if !ok {
			return nil
		}
		return addRow(out, r, cs)
	})
	return out, err
}

func addRow(out map[string]float64, r *record.Record, cs plan.ControlSource) error {
	key := ""
	if cs.GroupBy != "" {
		v, ok := r.Get(cs.GroupBy)
		if !ok {
			return fmt.Errorf("%s: no column %q", r.Pos, cs.GroupBy)
		}
		key = strings.TrimSpace(record.Text(v))
	}
	n, err := rowValue(r, cs)
	if err != nil {
		return err
	}
	out[key] += n
	return nil
}

func rowValue(r *record.Record, cs plan.ControlSource) (float64, error) {
	if cs.Sum == "" {
		return 1, nil
	}
	v, ok := r.Get(cs.Sum)
	if !ok {
		return 0, fmt.Errorf("%s: no column %q", r.Pos, cs.Sum)
	}
	if f, ok := toFloat(v); ok {
		return f, nil
	}
	s := strings.TrimSpace(record.Text(v))
	if s == "" {
		return 0, nil
	}
	f, err := mapping.ParseNumber(s, cs.Locale)
	if err != nil {
		return 0, fmt.Errorf("%s: column %s: %w", r.Pos, cs.Sum, err)
	}
	return f, nil
}

// groupNamer names a target group value: a relation by the source key of
// the external ID the plan gave it (when the control names its entity),
// else by its display name; scalars as text.
func groupNamer(pl *plan.Plan, ref string, ix *index) func(model string, v any) string {
	prefix := pl.Namespace + "." + ref + "_"
	return func(model string, v any) string {
		p, ok := v.([]any)
		if !ok || len(p) != 2 {
			if v == false || v == nil {
				return ""
			}
			return strings.TrimSpace(text(v))
		}
		id, _ := toFloat(p[0])
		if ref != "" && ix != nil {
			if x := ix.XMLID(model, int64(id)); strings.HasPrefix(x, prefix) {
				return strings.TrimPrefix(x, prefix)
			}
		}
		return text(p[1])
	}
}

func targetTotals(ctx context.Context, t Target, ct plan.ControlTarget, name func(string, any) string) (map[string]float64, error) {
	rel, err := relation(ctx, t, ct)
	if err != nil {
		return nil, err
	}
	agg := "__count"
	if ct.Sum != "" {
		agg = ct.Sum + ":sum"
	}
	var by []string
	if ct.GroupBy != "" {
		by = []string{ct.GroupBy}
	}
	rows, err := t.ReadGroup(ctx, ct.Model, odoo.Domain(ct.Domain), []string{agg}, by)
	if err != nil {
		return nil, err
	}
	if ct.GroupKey != "" {
		if name, err = keyNamer(ctx, t, rel, ct, rows); err != nil {
			return nil, err
		}
	}
	sign := 1.0
	if ct.Negate {
		sign = -1
	}
	out := map[string]float64{}
	for _, r := range rows {
		key := ""
		if ct.GroupBy != "" {
			key = name(rel, r[ct.GroupBy])
		}
		out[key] += sign * groupValue(r, ct.Sum)
	}
	return out, nil
}

// keyNamer names the groups by the GroupKey field of their related
// records (an account's code).
func keyNamer(ctx context.Context, t Target, rel string, ct plan.ControlTarget, rows []map[string]any) (func(string, any) string, error) {
	var ids []int64
	for _, r := range rows {
		if id := firstID(r[ct.GroupBy]); id != 0 {
			ids = append(ids, id)
		}
	}
	keys := map[int64]string{}
	for _, chunk := range chunks(ids, 500) {
		recs, err := t.Read(ctx, rel, chunk, []string{ct.GroupKey})
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			keys[firstID(rec["id"])] = strings.TrimSpace(text(rec[ct.GroupKey]))
		}
	}
	return func(_ string, v any) string { return keys[firstID(v)] }, nil
}

// relation is the comodel of the control's group_by field ("" for a
// scalar field or no grouping).
func relation(ctx context.Context, t Target, ct plan.ControlTarget) (string, error) {
	if ct.GroupBy == "" {
		return "", nil
	}
	f, err := t.FieldsGet(ctx, ct.Model, []string{"relation"})
	if err != nil {
		return "", err
	}
	def, ok := f[ct.GroupBy]
	if !ok {
		return "", fmt.Errorf("%s has no field %s", ct.Model, ct.GroupBy)
	}
	rel, _ := def["relation"].(string)
	return rel, nil
}

func groupValue(r map[string]any, sum string) float64 {
	keys := []string{"__count"}
	if sum != "" {
		keys = []string{sum + ":sum", sum}
	}
	for _, k := range keys {
		if v, present := r[k]; present {
			f, _ := toFloat(v)
			return f
		}
	}
	return 0
}
