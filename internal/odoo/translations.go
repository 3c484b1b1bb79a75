package odoo

import "context"

// Executor calls a model method (execute_kw style); *Client is one.
type Executor interface {
	Execute(ctx context.Context, model, method string, args []any, kwargs map[string]any) (any, error)
}

// FieldTranslations reads one translated field of one record in langs
// with get_field_translations (16+): the en_US value (source) and each
// language's value, which is the en_US value where the language has none
// of its own. nil stands for False: the field is empty. A field that is
// not translated has no languages.
func FieldTranslations(ctx context.Context, x Executor, model string, id int64, field string, langs []string) (*string, map[string]*string, error) {
	v, err := x.Execute(ctx, model, "get_field_translations", []any{[]any{id}},
		map[string]any{"field_name": field, "langs": anyStrings(langs)})
	if err != nil {
		return nil, nil, err
	}
	pair, _ := v.([]any)
	if len(pair) != 2 {
		return nil, nil, unexpected(model, "get_field_translations", v)
	}
	list, ok := pair[0].([]any)
	if !ok {
		return nil, nil, unexpected(model, "get_field_translations", v)
	}
	var source *string
	values := make(map[string]*string, len(list))
	for _, x := range list {
		tr, _ := x.(map[string]any)
		lang, _ := tr["lang"].(string)
		if lang == "" {
			return nil, nil, unexpected(model, "get_field_translations", v)
		}
		source, values[lang] = text(tr["source"]), text(tr["value"])
	}
	return source, values, nil
}

// text is a text value as read: nil for False.
func text(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}
