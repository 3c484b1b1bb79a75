package odoo

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Page limits a search.
type Page struct {
	Offset int
	Limit  int
	Order  string
}

func (p Page) kwargs(kw map[string]any) map[string]any {
	if p.Offset > 0 {
		kw["offset"] = p.Offset
	}
	if p.Limit > 0 {
		kw["limit"] = p.Limit
	}
	if p.Order != "" {
		kw["order"] = p.Order
	}
	return kw
}

// Domain is an Odoo search domain: conditions [field, operator, value] and
// the prefix operators "&", "|", "!".
type Domain []any

func (d Domain) list() []any {
	if d == nil {
		return []any{}
	}
	return []any(d)
}

// Search returns the ids of the records matching domain.
func (c *Client) Search(ctx context.Context, model string, domain Domain, p Page) ([]int64, error) {
	v, err := c.Execute(ctx, model, "search", []any{domain.list()}, p.kwargs(map[string]any{}))
	if err != nil {
		return nil, err
	}
	return idList(v, model, "search")
}

// SearchRead returns the given fields of the records matching domain.
func (c *Client) SearchRead(ctx context.Context, model string, domain Domain, fields []string, p Page) ([]map[string]any, error) {
	kw := p.kwargs(map[string]any{"fields": anyStrings(fields)})
	v, err := c.Execute(ctx, model, "search_read", []any{domain.list()}, kw)
	if err != nil {
		return nil, err
	}
	return recordList(v, model, "search_read")
}

// Each pages through every record matching domain by ascending id, pageSize
// at a time, so that millions of records are read in constant memory and
// records created meanwhile do not shift pages. fn's error stops Each.
func (c *Client) Each(ctx context.Context, model string, domain Domain, fields []string, pageSize int, fn func(map[string]any) error) error {
	if pageSize <= 0 {
		pageSize = 1000
	}
	if len(fields) > 0 && !contains(fields, "id") {
		fields = append(append([]string(nil), fields...), "id")
	}
	var last int64
	for {
		d := append(Domain{[]any{"id", ">", last}}, domain...)
		if len(domain) > 0 {
			d = append(Domain{"&"}, d...)
		}
		recs, err := c.SearchRead(ctx, model, d, fields, Page{Limit: pageSize, Order: "id"})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
			last, _ = asInt(r["id"])
		}
		if len(recs) < pageSize {
			return nil
		}
	}
}

// Read returns fields of the records ids (all fields when fields is nil).
func (c *Client) Read(ctx context.Context, model string, ids []int64, fields []string) ([]map[string]any, error) {
	kw := map[string]any{}
	if fields != nil {
		kw["fields"] = anyStrings(fields)
	}
	v, err := c.Execute(ctx, model, "read", []any{idsAny(ids)}, kw)
	if err != nil {
		return nil, err
	}
	return recordList(v, model, "read")
}

// SearchCount counts the records matching domain.
func (c *Client) SearchCount(ctx context.Context, model string, domain Domain) (int64, error) {
	v, err := c.Execute(ctx, model, "search_count", []any{domain.list()}, nil)
	if err != nil {
		return 0, err
	}
	n, ok := asInt(v)
	if !ok {
		return 0, unexpected(model, "search_count", v)
	}
	return n, nil
}

// Create creates records and returns their ids in order.
func (c *Client) Create(ctx context.Context, model string, vals []map[string]any) ([]int64, error) {
	list := make([]any, len(vals))
	for i, v := range vals {
		list[i] = v
	}
	v, err := c.Execute(ctx, model, "create", []any{list}, nil)
	if err != nil {
		return nil, err
	}
	if id, ok := asInt(v); ok {
		return []int64{id}, nil
	}
	return idList(v, model, "create")
}

// Write writes vals on the records ids.
func (c *Client) Write(ctx context.Context, model string, ids []int64, vals map[string]any) error {
	_, err := c.Execute(ctx, model, "write", []any{idsAny(ids), vals}, nil)
	return err
}

// Unlink deletes the records ids.
func (c *Client) Unlink(ctx context.Context, model string, ids []int64) error {
	_, err := c.Execute(ctx, model, "unlink", []any{idsAny(ids)}, nil)
	return err
}

// FieldsGet returns the model's fields with the given attributes (all when
// nil).
func (c *Client) FieldsGet(ctx context.Context, model string, attributes []string) (map[string]map[string]any, error) {
	kw := map[string]any{}
	if attributes != nil {
		kw["attributes"] = anyStrings(attributes)
	}
	v, err := c.Execute(ctx, model, "fields_get", []any{}, kw)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, unexpected(model, "fields_get", v)
	}
	out := make(map[string]map[string]any, len(m))
	for k, f := range m {
		if fm, ok := f.(map[string]any); ok {
			out[k] = fm
		}
	}
	return out, nil
}

// NamePair is one name_search answer.
type NamePair struct {
	ID   int64
	Name string
}

// NameSearch finds records by name the way Odoo's pickers do.
func (c *Client) NameSearch(ctx context.Context, model, name string, limit int) ([]NamePair, error) {
	kw := map[string]any{"name": name}
	if limit > 0 {
		kw["limit"] = limit
	}
	v, err := c.Execute(ctx, model, "name_search", []any{}, kw)
	if err != nil {
		return nil, err
	}
	list, _ := v.([]any)
	out := make([]NamePair, 0, len(list))
	for _, e := range list {
		p, _ := e.([]any)
		if len(p) != 2 {
			return nil, unexpected(model, "name_search", v)
		}
		id, _ := asInt(p[0])
		s, _ := p[1].(string)
		out = append(out, NamePair{ID: id, Name: s})
	}
	return out, nil
}

// ReadGroup groups the records matching domain by groupby and aggregates
// fields ("amount_total:sum"). It uses read_group (16–19) and falls back to
// formatted_read_group where read_group no longer exists.
func (c *Client) ReadGroup(ctx context.Context, model string, domain Domain, aggregates, groupby []string) ([]map[string]any, error) {
	kw := map[string]any{"lazy": false}
	v, err := c.Execute(ctx, model, "read_group", []any{domain.list(), anyStrings(aggregates), anyStrings(groupby)}, kw)
	if IsKind(err, KindNotFound) {
		v, err = c.Execute(ctx, model, "formatted_read_group", []any{domain.list(), anyStrings(groupby), anyStrings(aggregates)}, nil)
	}
	if err != nil {
		return nil, err
	}
	return recordList(v, model, "read_group")
}

// ExternalIDs returns the external ID of each record that has one. It uses
// get_external_id (which XML-RPC cannot carry: Odoo answers a dict with
// integer keys) and, over XML-RPC, a search on ir.model.data (which a
// least-privileged user may not read).
func (c *Client) ExternalIDs(ctx context.Context, model string, ids []int64) (map[int64]string, error) {
	if c.Transport() == XMLRPC {
		return c.externalIDsByData(ctx, model, ids)
	}
	v, err := c.Execute(ctx, model, "get_external_id", []any{idsAny(ids)}, nil)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, unexpected(model, "get_external_id", v)
	}
	out := make(map[int64]string, len(m))
	for k, x := range m {
		id, err := strconv.ParseInt(k, 10, 64)
		if s, ok := x.(string); err == nil && ok && s != "" {
			out[id] = s
		}
	}
	return out, nil
}

func (c *Client) externalIDsByData(ctx context.Context, model string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	recs, err := c.SearchRead(ctx, "ir.model.data", Domain{[]any{"model", "=", model}, []any{"res_id", "in", idsAny(ids)}},
		[]string{"module", "name", "res_id"}, Page{Order: "id"})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		id, _ := asInt(r["res_id"])
		if _, seen := out[id]; !seen {
			out[id] = fmt.Sprintf("%v.%v", r["module"], r["name"])
		}
	}
	return out, nil
}

// Resolve returns the model and database id an external ID names, or an
// *Error (KindServer, ValueError "External ID not found") when none.
func (c *Client) Resolve(ctx context.Context, xmlid string) (string, int64, error) {
	module, name, ok := strings.Cut(xmlid, ".")
	if !ok {
		module, name = "__import__", xmlid
	}
	v, err := c.Execute(ctx, "ir.model.data", "check_object_reference", []any{module, name}, nil)
	if err != nil {
		return "", 0, err
	}
	p, _ := v.([]any)
	if len(p) != 2 {
		return "", 0, unexpected("ir.model.data", "check_object_reference", v)
	}
	m, _ := p[0].(string)
	id, _ := asInt(p[1])
	return m, id, nil
}

// CheckAccessRights reports whether the user may perform operation (read,
// write, create, unlink) on model: check_access_rights with
// raise_exception false, which Odoo 16 to 19 answer (deprecated since 18,
// still there in 19; checked on real 18 and 19).
func (c *Client) CheckAccessRights(ctx context.Context, model, operation string) (bool, error) {
	v, err := c.Execute(ctx, model, "check_access_rights", []any{operation}, map[string]any{"raise_exception": false})
	if err != nil {
		return false, err
	}
	b, _ := v.(bool)
	return b, nil
}

func anyStrings(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func unexpected(model, method string, v any) error {
	return &Error{Kind: KindProtocol, Model: model, Method: method, Message: fmt.Sprintf("unexpected answer %.120v", v)}
}

func idList(v any, model, method string) ([]int64, error) {
	ids, ok := toIDs(v)
	if !ok {
		return nil, unexpected(model, method, v)
	}
	return ids, nil
}

func recordList(v any, model, method string) ([]map[string]any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, unexpected(model, method, v)
	}
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, unexpected(model, method, v)
		}
		out = append(out, m)
	}
	return out, nil
}

// SortedIDs returns the keys of m in ascending order.
func SortedIDs[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
