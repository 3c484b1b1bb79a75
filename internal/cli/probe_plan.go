package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/load"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
)

// errProbed stops a stream once the first ready row is in hand.
var errProbed = errors.New("probed")

// probePlan runs, per entity, a probe load with the plan's real columns:
// the entity's first ready row in create form (a new external ID) and in
// update form (the external ID of a record that exists), then a sentinel
// row Odoo always refuses, so everything is rolled back. References to
// rows of the plan that are not in the target yet are left empty.
func probePlan(ctx context.Context, g *globalOptions, t *targetOptions, p *plan.Plan) ([]modelAccess, error) {
	lv, err := prepareLive(ctx, g, t, p, nil)
	if err != nil {
		return nil, err
	}
	defer lv.pipeline.Close()
	var out []modelAccess
	for _, e := range lv.pipeline.Entities() {
		if e.Pass != 1 {
			continue
		}
		a, err := probeEntity(ctx, lv.client, lv.pipeline, e, p.Namespace)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func probeEntity(ctx context.Context, c *odoo.Client, pl *pipeline.Pipeline, e *pipeline.Entity, ns string) (modelAccess, error) {
	a := modelAccess{Model: e.Model + " (" + e.Name + ")", Rights: map[string]bool{}}
	var enc *load.Encoded
	err := pl.Stream(ctx, e, func(o pipeline.Outcome) error {
		if o.State != pipeline.Ready || o.Row == nil {
			return nil
		}
		var err error
		if enc, err = load.NewEncoder(nil).Encode(o.Row); err != nil {
			return err
		}
		return errProbed
	})
	if err != nil && !errors.Is(err, errProbed) {
		return a, err
	}
	for _, op := range []string{"read", "write", "create", "unlink"} {
		if a.Rights[op], err = c.CheckAccessRights(ctx, e.Model, op); err != nil {
			return a, err
		}
	}
	if enc == nil {
		a.Note = "no row of this entity would load: nothing to probe"
		return a, nil
	}
	deferred := load.ProbeCells(enc)
	rows, note, err := probeForms(ctx, c, e.Model, enc, ns)
	if err != nil {
		return a, err
	}
	a.Note = note
	if len(deferred) > 0 {
		a.Note = strings.TrimPrefix(a.Note+"; ", "; ") + "sent empty in the probe (filled when a batch is sent): " + strings.Join(deferred, ", ")
	}
	res, err := c.Load(ctx, e.Model, enc.Columns, rows, nil)
	if err != nil {
		return a, err
	}
	a.Probe = probeMessages(res)
	return a, nil
}

// probeForms builds the probe rows from one encoded record: the record
// under a probe external ID (create form), under an existing record's
// external ID (update form), then the sentinel. External IDs of the plan
// itself (references to rows not loaded yet, line IDs) are left empty.
func probeForms(ctx context.Context, c *odoo.Client, model string, enc *load.Encoded, ns string) ([][]string, string, error) {
	exists := map[string]bool{}
	var emptied []string
	own := ""
	for i, col := range enc.Columns {
		if col == "id" {
			own = enc.Rows[0][i] + "_" // the record's line IDs start with its own
		}
	}
	for _, row := range enc.Rows {
		for i, col := range enc.Columns {
			if v := row[i]; col != "id" && strings.HasSuffix(col, "/id") && strings.HasPrefix(v, ns+".") {
				if _, _, err := c.Resolve(ctx, v); err == nil {
					exists[v] = true
				} else if strings.Count(col, "/") == 1 && !strings.HasPrefix(v, own) && !slices.Contains(emptied, strings.TrimSuffix(col, "/id")) {
					emptied = append(emptied, strings.TrimSuffix(col, "/id"))
				}
			}
		}
	}
	form := func(id string) [][]string {
		out := make([][]string, 0, len(enc.Rows))
		for r, row := range enc.Rows {
			cp := append([]string(nil), row...)
			for i, col := range enc.Columns {
				switch {
				case col == "id" && r == 0:
					cp[i] = id
				case (col == "id" || strings.HasSuffix(col, "/id")) && strings.HasPrefix(cp[i], ns+".") && !exists[cp[i]]:
					cp[i] = ""
				}
			}
			out = append(out, cp)
		}
		return out
	}
	rows := form("__ferry_probe__.create")
	ids, err := c.Search(ctx, model, nil, odoo.Page{Limit: 1, Order: "id"})
	if err != nil {
		return nil, "", err
	}
	note := "update form not probed: no existing record with an external ID"
	if len(ids) > 0 {
		if xml, err := c.ExternalIDs(ctx, model, ids); err != nil {
			note = "update form not probed: " + err.Error()
		} else if xml[ids[0]] != "" {
			rows, note = append(rows, form(xml[ids[0]])...), ""
		}
	}
	if len(emptied) > 0 {
		sort.Strings(emptied)
		note = strings.TrimPrefix(note+"; ", "; ") + "left empty (their rows are not in the target yet): " + strings.Join(emptied, ", ")
	}
	return append(rows, form(probeSentinel)...), note, nil
}

// probeMessages keeps Odoo's refusals, not the sentinel's own.
func probeMessages(res *odoo.LoadResult) []string {
	var out []string
	for _, m := range res.Messages {
		if m.Message == "" || strings.Contains(m.Message, "ir_model_data_name_nospaces") {
			continue
		}
		field := ""
		if m.Field != "" {
			field = " [" + m.Field + "]"
		}
		out = append(out, fmt.Sprintf("row %d%s: %s", m.From, field, strings.TrimSpace(m.Message)))
	}
	sort.Strings(out)
	return out
}
