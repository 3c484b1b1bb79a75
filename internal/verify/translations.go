package verify

import (
	"context"
	"fmt"
	"sort"

	"github.com/ferry-migrate/ferry/internal/record"
)

// Translations (a plan entity's translations:) are verified over RPC,
// whatever path the record's own fields took: the records of a batch are
// read once in en_US and once per language (context lang), and each
// field[lang] is compared in canonical form with what the plan meant. An
// empty translation means none: Odoo then reads the en_US value in that
// language, so that is what is expected. Differences join the record's
// result as field[lang] with both values.

// executor calls model methods with keyword arguments (a context);
// *odoo.Client is one.
type executor interface {
	Execute(ctx context.Context, model, method string, args []any, kwargs map[string]any) (any, error)
}

// translationState batches the rows whose translations are verified.
type translationState struct {
	checked bool                  // the languages were found active
	pending map[string][]Expected // model → rows with translations
}

// addTranslations queues a ready row's translations (the record must be
// in the target: a missing one is reported by its own result).
func (r *runner) addTranslations(ctx context.Context, row record.Row) error {
	id := r.ix.byXML[row.ExternalID]
	if len(row.Translations) == 0 || id == 0 {
		return nil
	}
	ts := &r.trans
	if ts.pending == nil {
		ts.pending = map[string][]Expected{}
	}
	ts.pending[row.Model] = append(ts.pending[row.Model], Expected{Row: row, ID: id})
	if len(ts.pending[row.Model]) >= r.opts.BatchSize {
		return r.flushTranslations(ctx, row.Model)
	}
	return nil
}

// flushAllTranslations verifies every queued row, model by model.
func (r *runner) flushAllTranslations(ctx context.Context) error {
	models := make([]string, 0, len(r.trans.pending))
	for m := range r.trans.pending {
		models = append(models, m)
	}
	sort.Strings(models)
	for _, m := range models {
		if err := r.flushTranslations(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) flushTranslations(ctx context.Context, model string) error {
	rows := r.trans.pending[model]
	delete(r.trans.pending, model)
	if len(rows) == 0 {
		return nil
	}
	ex, ok := r.t.(executor)
	if !ok {
		return fmt.Errorf("verify: the target cannot read translations (no Execute)")
	}
	ids, fields, langs := translationQuery(rows)
	if err := r.checkTranslationLangs(ctx, langs); err != nil {
		return err
	}
	schema, err := r.schema(ctx, model)
	if err != nil {
		return err
	}
	got := map[string]map[int64]map[string]any{}
	for _, lang := range append([]string{baseLang}, langs...) {
		if got[lang], err = readInLang(ctx, ex, model, ids, fields, lang); err != nil {
			return err
		}
	}
	for _, e := range rows {
		r.merge(compareTranslations(schema, e, got))
	}
	return nil
}

const baseLang = "en_US"

func (r *runner) checkTranslationLangs(ctx context.Context, langs []string) error {
	if r.trans.checked {
		return nil
	}
	sr, ok := r.t.(SearchReader)
	if !ok {
		return nil // the reads will say it
	}
	if err := CheckLanguages(ctx, sr, langs); err != nil {
		return err
	}
	r.trans.checked = true
	return nil
}

// translationQuery lists the ids, the translated fields and the languages
// (besides en_US) of a batch.
func translationQuery(rows []Expected) (ids []int64, fields, langs []string) {
	fs, ls := map[string]bool{}, map[string]bool{}
	for _, e := range rows {
		ids = append(ids, e.ID)
		for f, byLang := range e.Row.Translations {
			fs[f] = true
			for l := range byLang {
				if l != baseLang {
					ls[l] = true
				}
			}
		}
	}
	return ids, sortedSet(fs), sortedSet(ls)
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// readInLang reads fields of ids with lang in the context.
func readInLang(ctx context.Context, ex executor, model string, ids []int64, fields []string, lang string) (map[int64]map[string]any, error) {
	idList := make([]any, len(ids))
	for i, id := range ids {
		idList[i] = id
	}
	fl := make([]any, len(fields))
	for i, f := range fields {
		fl[i] = f
	}
	v, err := ex.Execute(ctx, model, "read", []any{idList}, map[string]any{"fields": fl, "context": map[string]any{"lang": lang}})
	if err != nil {
		return nil, fmt.Errorf("verify: read %d %s records in %s: %w", len(ids), model, lang, err)
	}
	list, _ := v.([]any)
	out := make(map[int64]map[string]any, len(list))
	for _, x := range list {
		rec, _ := x.(map[string]any)
		if id, ok := toFloat(rec["id"]); ok {
			out[int64(id)] = rec
		}
	}
	return out, nil
}

// compareTranslations compares one record's translations with what was
// read in each language (got: lang → id → record).
func compareTranslations(schema map[string]Field, e Expected, got map[string]map[int64]map[string]any) Result {
	res := Result{Entity: e.Row.Entity, Model: e.Row.Model, ExternalID: e.Row.ExternalID, ID: e.ID, Status: Match}
	base, ok := got[baseLang][e.ID]
	if !ok {
		res.Status = Missing
		return res
	}
	for _, f := range sortedKeys(e.Row.Translations) {
		fd, ok := schema[f]
		if !ok {
			fd = Field{Name: f, Type: "char", Digits: -1}
		}
		byLang := e.Row.Translations[f]
		for _, lang := range sortedKeys(byLang) {
			var want any = byLang[lang]
			if byLang[lang] == "" {
				want = base[f] // no translation: Odoo reads en_US
			}
			if w, g, eq := compareField(fd, want, got[lang][e.ID][f], nil); !eq {
				res.Diffs = append(res.Diffs, FieldDiff{Field: f + "[" + lang + "]", Want: w, Got: g})
			}
		}
	}
	if len(res.Diffs) > 0 {
		res.Status = Differ
	}
	return res
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
