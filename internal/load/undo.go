package load

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
)

// What the loader keeps for rollback besides the rows' before-images
// (lookup.go): the records it archives and the translations it
// overwrites. Both are read before the write and recorded in the ledger
// first, like any update, so that rollback undoes them too.

// archive archives the records ids (on_delete: archive) as a recorded
// update: each record still active gets its before-image (active: true)
// and a pending archive step in the ledger before the write, and the
// steps are done after it. Records archived already (by an earlier run,
// or by this one before it was resumed) are written again but get none:
// this write does not change them.
func (r *runner) archive(ctx context.Context, p *passRun, ids []any, xmlids map[int64]string) error {
	recs, err := r.t.Read(ctx, p.e.Model, odoo.SortedIDs(xmlids), []string{"active"})
	if err != nil {
		return err
	}
	var images []ledger.Image
	var steps []ledger.Step
	for _, rec := range recs {
		if active, _ := rec["active"].(bool); !active {
			continue
		}
		id := asID(rec["id"])
		b, err := json.Marshal(map[string]any{"active": true})
		if err != nil {
			return err
		}
		images = append(images, ledger.Image{RunID: r.run.ID, Model: p.e.Model, OdooID: id, ExternalID: xmlids[id], Fields: b})
		steps = append(steps, ledger.Step{RunID: r.run.ID, Entity: p.e.Name, ExternalID: xmlids[id], Method: ledger.MethodArchive,
			OdooID: id, State: ledger.StepPending})
	}
	if err := r.st.MarkArchiving(ctx, images, steps); err != nil {
		return err
	}
	if _, err := r.t.Execute(ctx, p.e.Model, "write", []any{ids, map[string]any{"active": false}}, nil); err != nil {
		return err
	}
	for i := range steps {
		steps[i].State = ledger.StepDone
	}
	return r.st.PutSteps(ctx, steps)
}

// translationImage reads what a record the run did not create holds, in
// each language the run is about to write, of each translated field
// (get_field_translations), and returns it with what the run writes as a
// ledger.TranslationImage: rollback writes the former values back.
func (r *runner) translationImage(ctx context.Context, model string, id int64, tr map[string]map[string]string, fields []string) (string, error) {
	img := ledger.TranslationImage{Before: map[string]ledger.FieldTranslations{}, Wrote: tr}
	for _, f := range fields {
		langs := make([]string, 0, len(tr[f]))
		for l := range tr[f] {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		source, values, err := odoo.FieldTranslations(ctx, r.t, model, id, f, langs)
		if err != nil {
			return "", err
		}
		img.Before[f] = ledger.FieldTranslations{Source: source, Langs: values}
	}
	b, err := json.Marshal(img)
	return string(b), err
}
