package snapshot

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// FieldInfo is what Take needs to know of a field (from fields_get).
type FieldInfo struct {
	Type  string
	Store bool
}

// Reader is the part of the Odoo client Take uses.
type Reader interface {
	// Fields returns the model's fields (fields_get).
	Fields(ctx context.Context, model string) (map[string]FieldInfo, error)
	// Count returns search_count(domain).
	Count(ctx context.Context, model string, domain []any) (int64, error)
	// Pages calls fn with successive pages of records read with fields,
	// ordered by id, until all records matching domain were read.
	Pages(ctx context.Context, model string, domain []any, fields []string, fn func([]map[string]any) error) error
}

// Options choose what Take records. Models without Fingerprint get counts
// and totals only.
type Options struct {
	Models      []string
	Fingerprint map[string]bool
	Domains     map[string][]any // restricts a model (from a Map, for the after side)
	Server      string
	Database    string
	Now         func() time.Time
}

var magicFields = map[string]bool{
	"id": true, "display_name": true, "create_date": true, "create_uid": true,
	"write_date": true, "write_uid": true, "__last_update": true,
}

var hashedTypes = map[string]bool{
	"char": true, "text": true, "html": true, "integer": true, "float": true, "monetary": true,
	"boolean": true, "date": true, "datetime": true, "selection": true, "many2one": true, "many2many": true,
}

// Take records a snapshot through r.
func Take(ctx context.Context, r Reader, o Options) (*Snapshot, error) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	s := &Snapshot{Format: FormatVersion, TakenAt: now().UTC(), Server: o.Server, Database: o.Database, Models: map[string]Model{}}
	for _, model := range o.Models {
		m, err := takeModel(ctx, r, model, o.Domains[model], o.Fingerprint[model])
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", model, err)
		}
		s.Models[model] = m
	}
	return s, nil
}

func takeModel(ctx context.Context, r Reader, model string, domain []any, fingerprint bool) (Model, error) {
	if domain == nil {
		domain = []any{}
	}
	fields, err := r.Fields(ctx, model)
	if err != nil {
		return Model{}, err
	}
	m := Model{Domain: domain, Totals: map[string]float64{}}
	if m.Count, err = r.Count(ctx, model, domain); err != nil {
		return Model{}, err
	}
	hashed, totals := chooseFields(fields)
	m.Fields = hashed
	if !fingerprint {
		hashed = totals
	} else {
		m.Records = map[int64]map[string]string{}
	}
	if len(hashed) == 0 {
		return m, nil
	}
	err = r.Pages(ctx, model, domain, hashed, func(recs []map[string]any) error {
		for _, rec := range recs {
			addRecord(&m, rec, hashed, totals)
		}
		return nil
	})
	return m, err
}

func chooseFields(fields map[string]FieldInfo) (hashed, totals []string) {
	for name, f := range fields {
		if !f.Store || magicFields[name] || !hashedTypes[f.Type] {
			continue
		}
		hashed = append(hashed, name)
		if f.Type == "float" || f.Type == "monetary" {
			totals = append(totals, name)
		}
	}
	sort.Strings(hashed)
	sort.Strings(totals)
	return hashed, totals
}

func addRecord(m *Model, rec map[string]any, hashed, totals []string) {
	for _, f := range totals {
		if n, ok := rec[f].(float64); ok {
			m.Totals[f] += n
		}
	}
	if m.Records == nil {
		return
	}
	id, _ := rec["id"].(int64)
	if f, ok := rec["id"].(float64); ok {
		id = int64(f)
	}
	h := make(map[string]string, len(hashed))
	for _, f := range hashed {
		h[f] = FieldHash(rec[f])
	}
	m.Records[id] = h
}
