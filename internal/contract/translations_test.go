package contract

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// Translated fields (jsonb per language since Odoo 16): reads and writes
// in the context's lang, update_field_translations, and the errors a
// migration meets. Checked the same way on the sandbox and on real Odoo
// 18 and 19; a real database needs fr_BE and nl_BE active, which the
// suite does with the administrator when they are not.

var suiteLangs = []string{"fr_BE", "nl_BE"}

// activateLangs makes fr_BE and nl_BE active: on the sandbox always, on a
// real Odoo with the administrator (skipped without one).
func activateLangs(t *testing.T, tg target, c *odoo.Client) {
	t.Helper()
	recs, err := c.SearchRead(ctx(t), "res.lang", odoo.Domain{[]any{"code", "in", anyOf(suiteLangs)}}, []string{"code"}, odoo.Page{})
	require.NoError(t, err)
	if len(recs) == len(suiteLangs) {
		return
	}
	if tg.admin.Login == "" {
		t.Skip("fr_BE and nl_BE are not active and no administrator is configured (FERRY_TEST_ODOO_ADMIN_LOGIN)")
	}
	admin, err := odoo.Dial(ctx(t), tg.admin)
	require.NoError(t, err)
	ids, err := admin.Search(ctx(t), "res.lang", odoo.Domain{[]any{"code", "in", anyOf(suiteLangs)}, []any{"active", "=", false}}, odoo.Page{})
	require.NoError(t, err)
	require.NoError(t, admin.Write(ctx(t), "res.lang", ids, map[string]any{"active": true}))
}

func anyOf(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// translate calls update_field_translations on one record.
func translate(c *odoo.Client, model string, ids []int64, field string, trs map[string]any) (any, error) {
	cx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id := make([]any, len(ids))
	for i, x := range ids {
		id[i] = x
	}
	return c.Execute(cx, model, "update_field_translations", []any{id}, map[string]any{"field_name": field, "translations": trs})
}

// readIn reads fields of one record in lang ("" = no lang in the context).
func readIn(t *testing.T, c *odoo.Client, model string, id int64, lang string, fields ...string) map[string]any {
	t.Helper()
	kw := map[string]any{"fields": anyOf(fields)}
	if lang != "" {
		kw["context"] = map[string]any{"lang": lang}
	}
	v, err := c.Execute(ctx(t), model, "read", []any{[]any{id}}, kw)
	require.NoError(t, err)
	list, _ := v.([]any)
	require.Len(t, list, 1)
	rec, _ := list[0].(map[string]any)
	return rec
}

func newProduct(t *testing.T, c *odoo.Client, name string, cx map[string]any) int64 {
	t.Helper()
	kw := map[string]any{}
	if cx != nil {
		kw["context"] = cx
	}
	v, err := c.Execute(ctx(t), "product.template", "create", []any{[]any{map[string]any{"name": name}}}, kw)
	require.NoError(t, err)
	list, _ := v.([]any)
	require.Len(t, list, 1)
	id, ok := list[0].(int64)
	if !ok {
		f, _ := list[0].(float64)
		id = int64(f)
	}
	t.Cleanup(func() { _ = c.Unlink(context.Background(), "product.template", []int64{id}) })
	return id
}

func TestUpdateFieldTranslationsAndReadsPerLanguage(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		activateLangs(t, tg, c)
		base := "Chair " + tag(t)
		id := newProduct(t, c, base, nil)
		name := func(lang string) any { return readIn(t, c, "product.template", id, lang, "name")["name"] }
		require.Equal(t, base, name("fr_BE"), "a language without a translation reads en_US")

		ok, err := translate(c, "product.template", []int64{id}, "name", map[string]any{"fr_BE": "Chaise " + base, "nl_BE": "Stoel " + base})
		require.NoError(t, err)
		require.Equal(t, true, ok)
		require.Equal(t, base, name(""), "no lang in the context reads en_US")
		require.Equal(t, base, name("en_US"))
		require.Equal(t, "Chaise "+base, name("fr_BE"))
		require.Equal(t, "Stoel "+base, name("nl_BE"))
		require.Equal(t, "Chaise "+base, readIn(t, c, "product.template", id, "fr_BE", "display_name")["display_name"])

		found, err := c.Execute(ctx(t), "product.template", "search", []any{[]any{[]any{"name", "=", "Chaise " + base}}},
			map[string]any{"context": map[string]any{"lang": "fr_BE"}})
		require.NoError(t, err)
		require.Equal(t, []any{id}, found, "a domain on a translated field matches in the context's lang")
		none, err := c.Search(ctx(t), "product.template", odoo.Domain{[]any{"name", "=", "Chaise " + base}}, odoo.Page{})
		require.NoError(t, err)
		require.Empty(t, none, "without a lang the domain matches en_US")

		require.NoError(t, c.Write(ctx(t), "product.template", []int64{id}, map[string]any{"name": "Seat " + base}))
		require.Equal(t, "Seat "+base, name(""))
		require.Equal(t, "Chaise "+base, name("fr_BE"), "writing without a lang keeps the other languages")

		_, err = c.Execute(ctx(t), "product.template", "write", []any{[]any{id}, map[string]any{"name": "Siège " + base}},
			map[string]any{"context": map[string]any{"lang": "fr_BE"}})
		require.NoError(t, err)
		require.Equal(t, "Siège "+base, name("fr_BE"), "writing in a lang sets that language")
		require.Equal(t, "Seat "+base, name(""))
		require.Equal(t, "Stoel "+base, name("nl_BE"))

		ok, err = translate(c, "product.template", []int64{id}, "name", map[string]any{"nl_BE": false})
		require.NoError(t, err)
		require.Equal(t, true, ok)
		require.Equal(t, "Seat "+base, name("nl_BE"), "False removes a translation: the read falls back to en_US")

		ok, err = translate(c, "product.template", []int64{id}, "name", map[string]any{"en_US": false, "nl_BE": "Zetel " + base})
		require.NoError(t, err)
		require.Equal(t, true, ok)
		require.Equal(t, "Seat "+base, name(""), "en_US: False is ignored, en_US is never removed")
		require.Equal(t, "Zetel "+base, name("nl_BE"))

		ok, err = translate(c, "product.template", []int64{id}, "name", map[string]any{"en_US": "Armchair " + base})
		require.NoError(t, err)
		require.Equal(t, true, ok)
		require.Equal(t, "Armchair "+base, name(""), "en_US can be set like any language")
		require.Equal(t, "Siège "+base, name("fr_BE"))

		ok, err = translate(c, "product.template", []int64{id}, "default_code", map[string]any{"fr_BE": "X"})
		require.NoError(t, err)
		require.Equal(t, false, ok, "a field that is not translated answers False")
		ok, err = translate(c, "product.template", []int64{id}, "name", map[string]any{})
		require.NoError(t, err)
		require.Equal(t, false, ok, "no translations answers False")
	})
}

// An empty translated field takes its first value in every language:
// created in fr_BE, en_US holds it too; a translation set on an empty
// field becomes its en_US value.
func TestTranslatedFieldsFirstValueIsEnUS(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		activateLangs(t, tg, c)
		base := "Lampe " + tag(t)
		id := newProduct(t, c, base, map[string]any{"lang": "fr_BE"})
		require.Equal(t, base, readIn(t, c, "product.template", id, "", "name")["name"])
		require.Equal(t, base, readIn(t, c, "product.template", id, "fr_BE", "name")["name"])

		require.Equal(t, false, readIn(t, c, "product.template", id, "", "description_sale")["description_sale"])
		ok, err := translate(c, "product.template", []int64{id}, "description_sale", map[string]any{"nl_BE": "Lamp " + base})
		require.NoError(t, err)
		require.Equal(t, true, ok)
		require.Equal(t, "Lamp "+base, readIn(t, c, "product.template", id, "", "description_sale")["description_sale"])
		require.Equal(t, "Lamp "+base, readIn(t, c, "product.template", id, "fr_BE", "description_sale")["description_sale"])
	})
}

func TestUpdateFieldTranslationsErrors(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		activateLangs(t, tg, c)
		nameA := "A " + tag(t)
		a := newProduct(t, c, nameA, nil)
		b := newProduct(t, c, "B "+tag(t), nil)
		cases := []struct {
			name  string
			call  func() error
			kind  odoo.Kind
			class string
			msg   string
		}{
			{"inactive language", func() error {
				_, err := translate(c, "product.template", []int64{a}, "name", map[string]any{"fr_BE": "x", "xx_XX": "y"})
				return err
			}, odoo.KindValidation, "odoo.exceptions.UserError", "The following languages are not activated: xx_XX"},
			{"two records", func() error {
				_, err := translate(c, "product.template", []int64{a, b}, "name", map[string]any{"fr_BE": "x"})
				return err
			}, odoo.KindServer, "builtins.ValueError", "Expected singleton: product.template("},
			{"not text", func() error {
				_, err := translate(c, "product.template", []int64{a}, "name", map[string]any{"fr_BE": 5})
				return err
			}, odoo.KindValidation, "odoo.exceptions.UserError", "Translations for model translated fields only accept falsy values and str"},
			{"missing record", func() error {
				_, err := translate(c, "product.template", []int64{999999999}, "name", map[string]any{"fr_BE": "x"})
				return err
			}, odoo.KindMissing, "odoo.exceptions.MissingError", "Record does not exist or has been deleted."},
			{"unknown field", func() error {
				_, err := translate(c, "product.template", []int64{a}, "no_such_field", map[string]any{"fr_BE": "x"})
				return err
			}, odoo.KindServer, "builtins.KeyError", "no_such_field"},
			{"read in an inactive language", func() error {
				_, err := c.Execute(ctx(t), "product.template", "read", []any{[]any{a}}, map[string]any{"fields": []any{"name"},
					"context": map[string]any{"lang": "xx_XX"}})
				return err
			}, odoo.KindValidation, "odoo.exceptions.UserError", "Invalid language code: xx_XX"},
		}
		for _, cs := range cases {
			err := cs.call()
			require.Error(t, err, cs.name)
			var e *odoo.Error
			require.ErrorAs(t, err, &e, cs.name)
			require.Equal(t, cs.kind, e.Kind, "%s: %v", cs.name, err)
			require.Equal(t, cs.class, e.Class, cs.name)
			require.Contains(t, e.Message, cs.msg, cs.name)
		}
		require.Equal(t, nameA, readIn(t, c, "product.template", a, "fr_BE", "name")["name"], "a refused call changes nothing")
	})
}
