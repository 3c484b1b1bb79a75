package contract

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// getTranslations calls get_field_translations on one record and returns
// its translations by language and the dialog's context.
func getTranslations(t *testing.T, c *odoo.Client, id int64, field string, langs ...string) (map[string]map[string]any, map[string]any, error) {
	t.Helper()
	kw := map[string]any{"field_name": field}
	if langs != nil {
		kw["langs"] = anyOf(langs)
	}
	v, err := c.Execute(ctx(t), "product.template", "get_field_translations", []any{[]any{id}}, kw)
	if err != nil {
		return nil, nil, err
	}
	pair, _ := v.([]any)
	require.Len(t, pair, 2, "(translations, context): %v", v)
	list, _ := pair[0].([]any)
	out := map[string]map[string]any{}
	for _, x := range list {
		tr, _ := x.(map[string]any)
		out[tr["lang"].(string)] = tr
	}
	cx, _ := pair[1].(map[string]any)
	return out, cx, nil
}

// get_field_translations (what rollback reads before a run writes a
// record's translations): per language the en_US source and the
// language's value, which is the en_US value where the language has none;
// False throughout for an empty field; nothing for a field not
// translated.
func TestGetFieldTranslations(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		activateLangs(t, tg, c)
		base := "Desk " + tag(t)
		id := newProduct(t, c, base, nil)
		_, err := translate(c, "product.template", []int64{id}, "name", map[string]any{"fr_BE": "Bureau " + base})
		require.NoError(t, err)

		got, cx, err := getTranslations(t, c, id, "name", "fr_BE", "nl_BE", "en_US")
		require.NoError(t, err)
		require.Equal(t, map[string]map[string]any{
			"en_US": {"lang": "en_US", "source": base, "value": base},
			"fr_BE": {"lang": "fr_BE", "source": base, "value": "Bureau " + base},
			"nl_BE": {"lang": "nl_BE", "source": base, "value": base},
		}, got, "nl_BE has no value of its own: it reads en_US's")
		require.Equal(t, map[string]any{"translation_type": "char", "translation_show_source": false}, cx)

		got, _, err = getTranslations(t, c, id, "name")
		require.NoError(t, err)
		for _, l := range append([]string{"en_US"}, suiteLangs...) {
			require.Contains(t, got, l, "without langs: every active language")
		}

		got, cx, err = getTranslations(t, c, id, "description_sale", "fr_BE")
		require.NoError(t, err)
		require.Equal(t, map[string]map[string]any{"fr_BE": {"lang": "fr_BE", "source": false, "value": false}}, got, "an empty field")
		require.Equal(t, "text", cx["translation_type"])

		got, _, err = getTranslations(t, c, id, "default_code", "fr_BE")
		require.NoError(t, err)
		require.Empty(t, got, "a field that is not translated")

		_, _, err = getTranslations(t, c, id, "name", "xx_XX")
		require.Error(t, err, "a language that is not active")
	})
}
