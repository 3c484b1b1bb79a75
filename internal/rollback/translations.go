package rollback

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// Translations of the records a run updated. The loader reads them with
// get_field_translations before it writes (ledger.TranslationImage, after
// the record's own load), and Odoo reads a language without a value of
// its own as the en_US value: a language whose former value was the en_US
// value had, as far as anyone can tell, none, and is removed again
// (update_field_translations {lang: False}), so that it reads en_US's as
// before; a field that was empty is emptied (write False empties every
// language). The en_US value of a field the run's load also wrote is the
// record's before-image's, written first.

const baseLang = "en_US"

// restoreTranslations writes back the translations a's run overwrote.
func restoreTranslations(ctx context.Context, t Target, a Action) error {
	for _, f := range sortedKeys(a.Translations) {
		ft := a.Translations[f]
		_, loaded := a.Values[f]
		if ft.Source == nil {
			if loaded {
				continue // the before-image wrote the field's value
			}
			if err := t.Write(ctx, a.Model, []int64{a.ID}, map[string]any{f: false}); err != nil {
				return err
			}
			continue
		}
		vals := map[string]any{}
		for _, l := range sortedKeys(ft.Langs) {
			v := ft.Langs[l]
			switch {
			case l == baseLang && loaded:
			case l == baseLang:
				vals[l] = *ft.Source
			case v == nil || *v == *ft.Source:
				vals[l] = false
			default:
				vals[l] = *v
			}
		}
		if len(vals) == 0 {
			continue
		}
		_, err := t.Execute(ctx, a.Model, "update_field_translations", []any{[]any{a.ID}}, map[string]any{"field_name": f, "translations": vals})
		if err != nil {
			return err
		}
	}
	return nil
}

// translationsChanged finds the records whose translations differ both
// from what the run wrote and from what they were before it (an earlier
// rollback that stopped at a refusal may have restored them already),
// keyed like images, naming each language as verify does (name[fr_BE]).
func translationsChanged(ctx context.Context, t Target, p *Plan) (map[string][]verify.FieldDiff, error) {
	out := map[string][]verify.FieldDiff{}
	for _, a := range p.Actions {
		if len(a.TranslationsWritten) == 0 || a.ID == 0 {
			continue
		}
		for _, f := range sortedKeys(a.TranslationsWritten) {
			wrote := a.TranslationsWritten[f]
			src, cur, err := odoo.FieldTranslations(ctx, t, a.Model, a.ID, f, sortedKeys(wrote))
			if odoo.IsKind(err, odoo.KindMissing) {
				break // the record is gone: its restore is refused as such
			}
			if err != nil {
				return nil, err
			}
			_, loaded := a.Values[f]
			if diffs := wroteDiffs(f, wrote, src, cur); len(diffs) > 0 && !holdsBefore(a.Translations[f], loaded, src, cur) {
				out[imageKey(a.Model, a.ID)] = append(out[imageKey(a.Model, a.ID)], diffs...)
			}
		}
	}
	return out, nil
}

// wroteDiffs lists the languages whose current value is not what the run
// wrote: its text, or for "" (removed) the en_US value.
func wroteDiffs(f string, wrote map[string]string, src *string, cur map[string]*string) []verify.FieldDiff {
	var out []verify.FieldDiff
	for _, l := range sortedKeys(wrote) {
		w, got := wrote[l], cur[l]
		want := &w
		switch {
		case l == baseLang && w == "":
			continue // False is ignored for en_US
		case l == baseLang:
			got = src
		case w == "":
			want = src
		}
		if !sameText(want, got) {
			out = append(out, verify.FieldDiff{Field: f + "[" + l + "]", Want: str(want), Got: str(got)})
		}
	}
	return out
}

// holdsBefore says whether the field reads as before the run again.
func holdsBefore(ft ledger.FieldTranslations, loaded bool, src *string, cur map[string]*string) bool {
	if ft.Source == nil && !loaded {
		return src == nil
	}
	for l, b := range ft.Langs {
		want := b
		switch {
		case l == baseLang && loaded:
			continue
		case l == baseLang:
			if !sameText(ft.Source, src) {
				return false
			}
			continue
		case b == nil || ft.Source == nil || *b == *ft.Source:
			want = src // no value of its own: reads en_US's
		}
		if !sameText(want, cur[l]) {
			return false
		}
	}
	return true
}

func sameText(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
