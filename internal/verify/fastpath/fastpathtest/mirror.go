package fastpathtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// Reader reads every record of a model over RPC; *odoo.Client satisfies it.
type Reader interface {
	Each(ctx context.Context, model string, domain odoo.Domain, fields []string, pageSize int, fn func(map[string]any) error) error
}

// Mirror copies every record of models (with their ids) from an Odoo, or
// the sandbox, into the fixture's tables, the way Odoo stores what its
// read returns: so a database comparison sees what an RPC comparison
// sees.
func Mirror(ctx context.Context, r Reader, conn *pgx.Conn, models ...string) error {
	schema := Schema()
	for _, m := range models {
		defs, ok := schema[m]
		if !ok {
			return fmt.Errorf("mirror: %s is not in the fixture", m)
		}
		if err := mirrorModel(ctx, r, conn, m, defs); err != nil {
			return fmt.Errorf("mirror %s: %w", m, err)
		}
	}
	return nil
}

func mirrorModel(ctx context.Context, r Reader, conn *pgx.Conn, model string, defs map[string]FieldDef) error {
	var cols, m2m []string
	for _, n := range sortedFields(defs) {
		f := defs[n]
		switch {
		case !f.Store:
		case f.Type == "many2many":
			m2m = append(m2m, n)
		case columnType(f) != "":
			cols = append(cols, n)
		}
	}
	marks := make([]string, len(cols))
	for i, n := range cols {
		marks[i] = fmt.Sprintf("$%d::%s", i+1, columnType(defs[n]))
	}
	insert := fmt.Sprintf(`INSERT INTO %s ("%s") VALUES (%s)`, tableOf(model), strings.Join(cols, `", "`), strings.Join(marks, ", "))
	batch := &pgx.Batch{}
	err := r.Each(ctx, model, nil, append(append([]string(nil), cols...), m2m...), 500, func(rec map[string]any) error {
		args := make([]any, len(cols))
		for i, n := range cols {
			v, err := columnValue(defs[n], rec[n])
			if err != nil {
				return fmt.Errorf("field %s: %w", n, err)
			}
			args[i] = v
		}
		batch.Queue(insert, args...)
		for _, n := range m2m {
			rel := relation(model, n, defs[n].Relation)
			for _, id := range ids(rec[n]) {
				batch.Queue(fmt.Sprintf(`INSERT INTO %s (%s, %s) VALUES ($1, $2) ON CONFLICT DO NOTHING`, rel[0], rel[1], rel[2]), rec["id"], id)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return conn.SendBatch(ctx, batch).Close()
}

// columnValue renders what the read returned as the column's text.
func columnValue(f FieldDef, v any) (any, error) {
	if f.Type == "boolean" && !f.CompanyDependent {
		b, _ := v.(bool)
		return strconv.FormatBool(b), nil
	}
	if v == nil || v == false {
		return nil, nil
	}
	if f.Type == "many2one" {
		if list := ids(v); len(list) > 0 {
			v = list[0]
		}
	}
	switch {
	case f.Translate:
		b, err := json.Marshal(map[string]any{"en_US": v})
		return string(b), err
	case f.CompanyDependent:
		b, err := json.Marshal(map[string]any{"1": v})
		return string(b), err
	case columnType(f) == "jsonb":
		b, err := json.Marshal(v)
		return string(b), err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case json.Number:
		return x.String(), nil
	}
	return fmt.Sprint(v), nil
}

// ids reads a many2one pair or an id list.
func ids(v any) []int64 {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	if len(list) == 2 {
		if _, isName := list[1].(string); isName {
			list = list[:1]
		}
	}
	var out []int64
	for _, x := range list {
		switch n := x.(type) {
		case float64:
			out = append(out, int64(n))
		case int64:
			out = append(out, n)
		case json.Number:
			if i, err := n.Int64(); err == nil {
				out = append(out, i)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
