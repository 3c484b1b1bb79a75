package orm

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// column is one load column: "name", "parent_id/id", "lines/quantity".
type column struct {
	path []string
}

// span is one record's rows in the data (one2many lines continue a
// record on the following rows).
type span struct{ from, to int }

type loadRun struct {
	db       *DB
	m        *Model
	cols     []column
	data     [][]string
	tz       *time.Location
	messages []any
	errors   int
	ctx      map[string]any
	ri       int    // the record being converted
	sp       span   // and its rows
	refusal  string // the call's companies refused: each record's message
	uid      int64
}

// load is Odoo's import: create-or-update by external ID, relation cells
// resolved by external ID, database id or name, values converted with
// Odoo's messages; when any row fails the whole batch is rolled back and
// ids is false.
func (db *DB) load(b *bound) (any, error) {
	fv, _ := b.arg("fields")
	names := stringsOf(fv)
	dv, _ := b.arg("data")
	rows, err := loadRows(dv, len(names))
	if err != nil {
		return nil, err
	}
	r := &loadRun{db: db, m: b.m, data: rows, tz: db.loadTZ(b), ctx: b.Context, refusal: db.loadRefusal(b), uid: b.UID}
	for _, n := range names {
		c := column{path: strings.Split(n, "/")}
		if err := r.checkColumn(c, n); err != nil {
			return nil, err
		}
		r.cols = append(r.cols, c)
	}
	ids := r.run()
	if r.errors > 0 {
		db.rollback()
		db.begin()
		return map[string]any{"ids": false, "messages": r.messages, "nextrow": int64(0)}, nil
	}
	return map[string]any{"ids": ids, "messages": r.messages, "nextrow": int64(0)}, nil
}

func (db *DB) loadTZ(b *bound) *time.Location {
	tz, _ := b.Context["tz"].(string)
	if tz == "" {
		tz = db.userTZ(b.UID)
	}
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		return loc
	}
	return time.UTC
}

func loadRows(v any, width int) ([][]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, &Exception{Class: TypeError, Message: "load() data must be a list of rows"}
	}
	out := make([][]string, len(list))
	for i, r := range list {
		cells, ok := r.([]any)
		if !ok {
			return nil, &Exception{Class: TypeError, Message: fmt.Sprintf("load() row %d is not a list", i)}
		}
		row := make([]string, width)
		for j := 0; j < width && j < len(cells); j++ {
			if cells[j] != nil && cells[j] != false {
				row[j] = fmt.Sprint(cells[j])
			}
		}
		out[i] = row
	}
	return out, nil
}

func (r *loadRun) checkColumn(c column, name string) error {
	head := c.path[0]
	if head == "id" || head == ".id" {
		return nil
	}
	f := r.m.Fields[head]
	if f == nil {
		return &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field name '%s'", head)}
	}
	if f.Type == "one2many" && len(c.path) > 1 && c.path[1] != "id" && c.path[1] != ".id" {
		if cm := r.db.models[f.Relation]; cm == nil || cm.Fields[c.path[1]] == nil {
			return &Exception{Class: ValueError, Message: fmt.Sprintf("Invalid field name '%s'", name)}
		}
	}
	return nil
}

// topLevel reports whether column i belongs to the record itself (not to
// its one2many lines).
func (r *loadRun) topLevel(i int) bool {
	head := r.cols[i].path[0]
	if head == "id" || head == ".id" {
		return true
	}
	return r.m.Fields[head].Type != "one2many"
}

func (r *loadRun) spans() []span {
	var out []span
	for i, row := range r.data {
		starts := i == 0
		for j, cell := range row {
			if cell != "" && r.topLevel(j) {
				starts = true
			}
		}
		if starts || len(out) == 0 {
			out = append(out, span{i, i})
		} else {
			out[len(out)-1].to = i
		}
	}
	return out
}

func (r *loadRun) run() []any {
	ids := []any{}
	for ri, sp := range r.spans() {
		id, ok := r.record(ri, sp)
		if ok {
			ids = append(ids, id)
		}
		if r.errors >= 10 && r.errors*10 > ri+1 {
			r.messages = append(r.messages, map[string]any{"type": "warning",
				"message": "Found more than 10 errors and more than one error per 10 records, interrupted to avoid showing too many errors."})
			break
		}
	}
	return ids
}

// record converts and writes one record; failures become messages.
func (r *loadRun) record(ri int, sp span) (int64, bool) {
	r.ri, r.sp = ri, sp
	row := r.data[sp.from]
	var xmlid, dbid string
	vals := map[string]any{}
	failed := false
	lines := map[string][]span{}
	for j, c := range r.cols {
		cell := row[j]
		switch head := c.path[0]; {
		case head == "id":
			xmlid = cell
		case head == ".id":
			dbid = cell
		case r.m.Fields[head].Type == "one2many":
			lines[head] = nil
		default:
			v, msg := r.cell(r.m, c, cell)
			if msg != nil {
				r.fail(ri, sp, msg)
				failed = true
				continue
			}
			if v != skip {
				vals[head] = v
			}
		}
	}
	if dbid != "" && !r.knownDBID(dbid) {
		r.fail(ri, sp, map[string]any{"field": ".id", "message": fmt.Sprintf("Unknown database identifier '%s'", dbid)})
		failed = true
	}
	subs, ok := r.lines(ri, sp, lines)
	if failed || !ok {
		return 0, false
	}
	if r.refusal != "" { // the write needs the call's companies
		r.fail(ri, sp, map[string]any{"message": r.refusal})
		return 0, false
	}
	id, err := r.write(xmlid, dbid, vals, subs)
	if err != nil {
		r.fail(ri, sp, r.importFailure(err))
		return 0, false
	}
	return id, true
}

type skipValue struct{}

var skip = skipValue{}

func (r *loadRun) fail(ri int, sp span, msg map[string]any) {
	msg["rows"] = map[string]any{"from": int64(sp.from), "to": int64(sp.to)}
	msg["record"] = int64(ri)
	if msg["type"] == nil {
		msg["type"] = "error"
	}
	if msg["type"] == "error" {
		r.errors++
	}
	r.messages = append(r.messages, msg)
}

func (r *loadRun) writeMessage(err error) string {
	e, ok := err.(*Exception)
	if !ok {
		return err.Error()
	}
	if e.Message == "The operation cannot be completed: Contacts require a name" {
		return "'Contacts require a name'" // the SQL constraint's message, as load reports it
	}
	return e.Message
}

// sub is one one2many line of a record.
type sub struct {
	field string
	xmlid string
	vals  map[string]any
}

// lines reads the one2many sub-records of a record from its rows.
func (r *loadRun) lines(ri int, sp span, fields map[string][]span) ([]sub, bool) {
	var out []sub
	ok := true
	for i := sp.from; i <= sp.to; i++ {
		perField := map[string]*sub{}
		for j, c := range r.cols {
			head := c.path[0]
			if _, isLine := fields[head]; !isLine || r.data[i][j] == "" || len(c.path) < 2 {
				continue
			}
			s := perField[head]
			if s == nil {
				s = &sub{field: head, vals: map[string]any{}}
				perField[head] = s
			}
			if c.path[1] == "id" {
				s.xmlid = r.data[i][j]
				continue
			}
			cm := r.db.models[r.m.Fields[head].Relation]
			v, msg := r.cell(cm, column{path: c.path[1:]}, r.data[i][j])
			if msg != nil {
				r.fail(ri, sp, msg)
				ok = false
				continue
			}
			if v != skip {
				s.vals[c.path[1]] = v
			}
		}
		keys := make([]string, 0, len(perField))
		for k := range perField {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, *perField[k])
		}
	}
	return out, ok
}

// write creates or updates the record and its lines.
func (r *loadRun) write(xmlid, dbid string, vals map[string]any, subs []sub) (int64, error) {
	db, m := r.db, r.m
	var id int64
	switch {
	case dbid != "":
		n, _ := strconv.ParseInt(dbid, 10, 64)
		if m.recs[n] == nil {
			return 0, &Exception{Class: ValueError, Message: fmt.Sprintf("Unknown database identifier '%s'", dbid)}
		}
		id = n
	case xmlid != "":
		module, name := splitXMLID(xmlid)
		if ref, ok := db.xmlids[module+"."+name]; ok && ref.model == m.Name && m.recs[ref.id] != nil {
			id = ref.id
		}
	}
	var err error
	if id != 0 {
		err = db.writeOne(m, id, vals, true)
	} else if id, err = db.createOne(m, vals, r.ctx, true); err == nil {
		db.linkCreator(m, id, r.uid)
		if xmlid != "" {
			err = r.setXMLID(xmlid, m.Name, id)
		}
	}
	if err != nil {
		return 0, err
	}
	return id, r.writeLines(id, subs)
}

func (r *loadRun) setXMLID(xmlid, model string, id int64) error {
	_, name := splitXMLID(xmlid)
	if strings.ContainsAny(name, " \t") {
		return &Exception{Class: "psycopg2.errors.CheckViolation", Message: fmt.Sprintf(
			"new row for relation \"ir_model_data\" violates check constraint \"ir_model_data_name_nospaces\"\nDETAIL:  Failing row contains (%d, null, %s, %s, null, %d, f, %s, %s, %s).\n",
			r.db.models["ir.model.data"].next, now(), now(), id, name, strings.SplitN(xmlid, ".", 2)[0], model)}
	}
	r.db.setXMLID(xmlid, model, id)
	return nil
}

func (r *loadRun) writeLines(id int64, subs []sub) error {
	if len(subs) > 0 && r.m.Name == "account.move" && r.m.recs[id]["state"] == "posted" {
		return r.db.beforeWrite(r.m, id, map[string]any{"invoice_line_ids": true})
	}
	for _, s := range subs {
		f := r.m.Fields[s.field]
		cm := r.db.models[f.Relation]
		vals := withValue(s.vals, f.Inverse, id)
		if ref, ok := r.db.xmlids[qualified(s.xmlid)]; ok && s.xmlid != "" && ref.model == cm.Name && cm.recs[ref.id] != nil {
			if err := r.db.writeOne(cm, ref.id, vals, true); err != nil {
				return err
			}
			continue
		}
		cid, err := r.db.createOne(cm, vals, nil, true)
		if err != nil {
			return err
		}
		if s.xmlid != "" {
			if err := r.setXMLID(s.xmlid, cm.Name, cid); err != nil {
				return err
			}
		}
	}
	return nil
}

func qualified(x string) string {
	m, n := splitXMLID(x)
	return m + "." + n
}

func (r *loadRun) knownDBID(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && r.m.recs[n] != nil
}
