package orm

import (
	"fmt"
	"sort"
	"strings"
)

// Translated fields, as Odoo 16+ stores them: one jsonb value per record
// with a key per language, read in the call's context lang with the en_US
// value as fallback (COALESCE(col->>lang, col->>'en_US')).
//
// The sandbox keeps the en_US value where every field keeps its value
// (rec[name]), so every other path (domains, display names, load) sees
// what Odoo returns without a lang, and the other languages in a map under
// trKey(name). That map is replaced, never changed in place, so the undo
// log's shallow copies of records stay valid.
//
// Writes follow Odoo (checked on 18 and 19): create, write and load in a
// lang set that language (and en_US too while the field is empty); without
// a lang they set en_US and keep the other languages; writing False
// empties every language. update_field_translations sets several languages
// at once (updateFieldTranslations).

const baseLang = "en_US"

func trKey(field string) string { return "\x00translations:" + field }

// translatable reports a field Odoo stores per language.
func (f *Field) translatable() bool {
	if f == nil {
		return false
	}
	t, _ := f.Attrs["translate"].(bool)
	return t && (f.Type == "char" || f.Type == "text" || f.Type == "html")
}

// langOf is the call's context lang; "" stands for en_US.
func langOf(ctx map[string]any) string {
	if l, _ := ctx["lang"].(string); l != baseLang {
		return l
	}
	return ""
}

func translationsOf(rec map[string]any, field string) map[string]any {
	tr, _ := rec[trKey(field)].(map[string]any)
	return tr
}

// fieldValue is the stored value of f as a read in the call's lang sees it.
func (db *DB) fieldValue(f *Field, name string, rec map[string]any) any {
	if db.lang != "" && f.translatable() {
		if v, ok := translationsOf(rec, name)[db.lang]; ok {
			return v
		}
	}
	return rec[name]
}

// setValue stores a converted value, in the call's lang for a translated
// field.
func (db *DB) setValue(m *Model, id int64, f *Field, v any) {
	rec := m.recs[id]
	if !f.translatable() {
		rec[f.Name] = v
		return
	}
	switch {
	case v == nil: // False empties the whole column
		rec[f.Name] = nil
		delete(rec, trKey(f.Name))
	case db.lang == "":
		rec[f.Name] = v
	default:
		if rec[f.Name] == nil {
			rec[f.Name] = v // the first value is en_US's too
		}
		tr := copyMap(translationsOf(rec, f.Name))
		tr[db.lang] = v
		rec[trKey(f.Name)] = tr
	}
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// activeLangs are the codes of the active res.lang records, en_US always.
func (db *DB) activeLangs() map[string]bool {
	out := map[string]bool{baseLang: true}
	if m := db.models["res.lang"]; m != nil {
		for _, r := range m.recs {
			if code, _ := r["code"].(string); code != "" && active(r) {
				out[code] = true
			}
		}
	}
	return out
}

// updateFieldTranslations is BaseModel.update_field_translations(ids,
// field_name, translations, source_lang) for fields translated as a whole
// (translate=True): {lang: text} sets a language, {lang: False} removes it
// (reads fall back to en_US); an empty column takes the en_US value, else
// the call's lang's, else the first given. Where Odoo's order is a Python
// set's or dict's, the sandbox sorts by language code.
func (db *DB) updateFieldTranslations(b *bound) (any, error) {
	raw, ok := b.arg("translations")
	if !ok { // Python refuses the call before its body runs
		return nil, &Exception{Class: TypeError, Message: "BaseModel.update_field_translations() missing 1 required positional argument: 'translations'"}
	}
	trs, _ := raw.(map[string]any)
	field, f, err := db.translatedField(b)
	if err != nil {
		return nil, err
	}
	source, _ := b.arg("source_lang")
	if err := db.checkLangs(trs, source); err != nil {
		return nil, err
	}
	if !f.translatable() {
		return false, nil
	}
	vals, err := translationValues(trs)
	if err != nil || len(vals) == 0 {
		return false, err
	}
	id := b.ids[0]
	db.touch(b.m, id)
	db.mergeTranslations(b.m.recs[id], field, vals)
	b.m.recs[id]["write_date"] = now()
	return true, nil
}

// translatedField checks a translation call's record (one, existing) and
// finds its field_name, as Odoo's ensure_one and self._fields[...] do.
func (db *DB) translatedField(b *bound) (string, *Field, error) {
	if len(b.ids) != 1 {
		return "", nil, &Exception{Class: ValueError, Message: fmt.Sprintf("Expected singleton: %s(%s)", b.m.Name, joinIDs(b.ids))}
	}
	if err := db.missing(b); err != nil {
		return "", nil, err
	}
	name, _ := b.arg("field_name")
	field, _ := name.(string)
	f := b.m.Fields[field]
	if f == nil {
		return "", nil, &Exception{Class: KeyError, Message: field, Args: []any{field}}
	}
	return field, f, nil
}

// getFieldTranslations is BaseModel.get_field_translations(ids,
// field_name, langs) for fields translated as a whole: per language
// (langs, else the active ones) {lang, source: the en_US value, value: the
// language's own value, else the en_US value}, False for an empty field —
// Odoo reads with prefetch_langs, which fills a language without its own
// value with en_US's, so a translation equal to the en_US text and none
// read alike. The second item is the dialog's context: translation_type
// (text for text and html fields) and translation_show_source (only
// model_terms fields show it). A field not translated has no
// translations; a language not active is refused as the context's lang
// would be. Where Odoo's order is a Python set's, the sandbox sorts by
// language code.
func (db *DB) getFieldTranslations(b *bound) (any, error) {
	field, f, err := db.translatedField(b)
	if err != nil {
		return nil, err
	}
	langs, err := db.translationLangs(b)
	if err != nil {
		return nil, err
	}
	typ := "char"
	if f.Type == "text" || f.Type == "html" {
		typ = "text"
	}
	ctx := map[string]any{"translation_type": typ, "translation_show_source": false}
	out := []any{}
	if !f.translatable() {
		return []any{out, ctx}, nil
	}
	rec := b.m.recs[b.ids[0]]
	for _, l := range langs {
		src, val := rec[field], rec[field]
		if src == nil {
			src, val = false, false
		} else if v, ok := translationsOf(rec, field)[l]; ok && l != baseLang {
			val = v
		}
		out = append(out, map[string]any{"lang": l, "source": src, "value": val})
	}
	return []any{out, ctx}, nil
}

// translationLangs are the languages get_field_translations reads: those
// asked for (each must be active, or en_US), else the active ones.
func (db *DB) translationLangs(b *bound) ([]string, error) {
	active := db.activeLangs()
	raw, _ := b.arg("langs")
	list, _ := raw.([]any)
	if len(list) == 0 {
		out := make([]string, 0, len(active))
		for l := range active {
			out = append(out, l)
		}
		sort.Strings(out)
		return out, nil
	}
	seen := map[string]bool{}
	var out []string
	for _, x := range list {
		l, _ := x.(string)
		if !active[l] {
			return nil, &Exception{Class: UserError, Message: "Invalid language code: " + l}
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out, nil
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ", ")
}

// checkLangs refuses languages that are not active (source_lang included).
func (db *DB) checkLangs(trs map[string]any, source any) error {
	valid := db.activeLangs()
	src, _ := source.(string)
	if src == "" {
		src = baseLang
	}
	var missing []string
	seen := map[string]bool{}
	for _, l := range append(sortedKeys(trs), src) {
		if !valid[l] && !seen[l] {
			seen[l] = true
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &Exception{Class: UserError, Message: "The following languages are not activated: " + strings.Join(missing, ", ")}
}

// translationValues checks the values: text sets a language, a falsy value
// removes it (nil), except en_US, which cannot be removed (an empty
// string stays).
func translationValues(trs map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for l, v := range trs {
		s, isText := v.(string)
		switch {
		case isText:
			out[l] = s
		case truthy(v):
			return nil, &Exception{Class: UserError, Message: "Translations for model translated fields only accept falsy values and str"}
		case l != baseLang:
			out[l] = nil
		}
	}
	return out, nil
}

// mergeTranslations applies Odoo's fallback || column || values, dropping
// removed languages; a column left with no language is empty.
func (db *DB) mergeTranslations(rec map[string]any, field string, vals map[string]any) {
	merged := map[string]any{}
	if fb := fallback(vals, db.lang); fb != nil {
		merged[baseLang] = fb
	}
	if rec[field] != nil {
		merged[baseLang] = rec[field]
	}
	for l, v := range translationsOf(rec, field) {
		merged[l] = v
	}
	for l, v := range vals {
		if v == nil {
			delete(merged, l)
		} else {
			merged[l] = v
		}
	}
	rec[field] = merged[baseLang]
	delete(merged, baseLang)
	if len(merged) == 0 {
		delete(rec, trKey(field))
		return
	}
	rec[trKey(field)] = merged
}

func fallback(vals map[string]any, lang string) any {
	if v := vals[baseLang]; v != nil {
		return v
	}
	if v := vals[lang]; lang != "" && v != nil {
		return v
	}
	for _, l := range sortedKeys(vals) {
		if vals[l] != nil {
			return vals[l]
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ActivateLanguages activates the languages of codes (res.lang codes such
// as fr_BE), as an administrator does in Settings › Languages; a code the
// database does not know is an error.
func (db *DB) ActivateLanguages(codes ...string) error {
	return db.activate("res.lang", "code", "language", codes)
}

// ActivateCurrencies activates currencies by name (EUR, CHF…), as an
// integrator does before a migration (a fresh database has only the
// company's).
func (db *DB) ActivateCurrencies(names ...string) error {
	return db.activate("res.currency", "name", "currency", names)
}

// activate sets active on the model's records whose field holds one of
// values; a value no record holds is an error naming what.
func (db *DB) activate(model, field, what string, values []string) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	m := db.models[model]
	for _, v := range values {
		found := false
		for _, r := range m.recs {
			if r[field] == v {
				r["active"], found = true, true
			}
		}
		if !found {
			return fmt.Errorf("the sandbox has no %s %s", what, v)
		}
	}
	return nil
}
