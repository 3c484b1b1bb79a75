package odoo

import (
	"context"
	"errors"
)

// LoadMessage is one message of a load answer: an error or a warning about
// the rows From..To (0-based indexes into the data sent), and the field.
type LoadMessage struct {
	Type      string // "error" or "warning"
	Message   string
	Record    int
	From, To  int
	Field     string
	FieldName string
}

// LoadResult is Odoo's answer to load. When any row fails, Odoo rolls the
// whole batch back and answers ids: false: RolledBack is true and IDs nil.
// Otherwise IDs holds one id per record sent, in order.
type LoadResult struct {
	IDs        []int64
	RolledBack bool
	Messages   []LoadMessage
}

// Errors returns the error messages.
func (r *LoadResult) Errors() []LoadMessage {
	var out []LoadMessage
	for _, m := range r.Messages {
		if m.Type == "error" {
			out = append(out, m)
		}
	}
	return out
}

// Load calls model.load(fields, rows): create-or-update by external ID (the
// "id" column). A serialization failure or deadlock reported as a row
// message (HTTP 200, ids false — Odoo does not retry it itself) is retried
// like any concurrency error, and returned as an *Error of KindConcurrency
// when retries run out.
func (c *Client) Load(ctx context.Context, model string, fields []string, rows [][]string, extra map[string]any) (*LoadResult, error) {
	data := make([]any, len(rows))
	for i, r := range rows {
		data[i] = anyStrings(r)
	}
	for attempt := 0; ; attempt++ {
		kw := map[string]any{}
		if extra != nil {
			kw["context"] = extra
		}
		v, err := c.Execute(ctx, model, "load", []any{anyStrings(fields), data}, kw)
		if err != nil {
			return nil, err
		}
		res, err := parseLoad(v, model)
		if err != nil {
			return nil, err
		}
		if msg, busy := concurrency(res); busy {
			if attempt < c.cfg.Retries && c.cfg.Retries > 0 && c.wait(ctx, attempt) == nil {
				continue
			}
			return nil, &Error{Kind: KindConcurrency, Class: "psycopg2.errors.SerializationFailure", Model: model, Method: "load", Message: msg}
		}
		return res, nil
	}
}

func concurrency(r *LoadResult) (string, bool) {
	if !r.RolledBack {
		return "", false
	}
	for _, m := range r.Messages {
		if IsConcurrencyMessage(m.Message) {
			return m.Message, true
		}
	}
	return "", false
}

func parseLoad(v any, model string) (*LoadResult, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, unexpected(model, "load", v)
	}
	res := &LoadResult{}
	switch ids := m["ids"].(type) {
	case bool:
		res.RolledBack = !ids
	default:
		list, ok := toIDs(ids)
		if !ok {
			return nil, unexpected(model, "load", v)
		}
		res.IDs = list
	}
	msgs, _ := m["messages"].([]any)
	for _, x := range msgs {
		mm, _ := x.(map[string]any)
		if mm == nil {
			return nil, errors.New("odoo: load answered a message that is not an object")
		}
		res.Messages = append(res.Messages, loadMessage(mm))
	}
	return res, nil
}

func loadMessage(m map[string]any) LoadMessage {
	lm := LoadMessage{}
	lm.Type, _ = m["type"].(string)
	lm.Message, _ = m["message"].(string)
	lm.Field, _ = m["field"].(string)
	lm.FieldName, _ = m["field_name"].(string)
	rec, _ := asInt(m["record"])
	lm.Record = int(rec)
	if rows, ok := m["rows"].(map[string]any); ok {
		f, _ := asInt(rows["from"])
		t, _ := asInt(rows["to"])
		lm.From, lm.To = int(f), int(t)
	}
	return lm
}
