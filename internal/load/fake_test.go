package load

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// fakeTarget is a scripted stand-in for Odoo's load: create-or-update by
// external ID, whole-batch rollback when a row fails, record spans for
// one2many lines.
type fakeTarget struct {
	mu      sync.Mutex
	next    int64
	recs    map[string]*fakeRec // xmlid → record (lines too)
	calls   int
	lookups int // ir.model.data reads of a batch's external IDs
	loads   int
	sent    int // records sent, all calls
	execs   []string
	denied  bool // ir.model.data unreadable

	// reject returns an error message for a data row (a map of column →
	// cell), or "".
	reject func(model string, row map[string]string) string
	// field is the field name put on rejection messages ("" makes a row-0
	// message ambiguous).
	field string
	// global adds a message without rows to every rejected answer.
	global bool
	// fail is called before each load call (1-based); a non-nil error is
	// returned instead of the answer, after applying the batch when apply.
	fail func(call int) (err error, apply bool)
	// execFail refuses an after-load call.
	execFail func(id int64) string
	// perRecord is how long the answer takes per record sent; timeoutAbove,
	// when set, makes a call of more records time out after applying it
	// (its outcome unknown to the caller); sizes lists the records per call.
	perRecord    time.Duration
	timeoutAbove int
	sizes        []int
	// warn adds a warning for a data row (Odoo loads it anyway); silent
	// rolls a batch holding the row back without any message.
	warn   func(row map[string]string) string
	silent func(row map[string]string) bool
}

type fakeRec struct {
	id     int64
	model  string
	values map[string]string
	parent string // a line's record (external ID)
}

func newFake() *fakeTarget { return &fakeTarget{recs: map[string]*fakeRec{}} }

func (f *fakeTarget) Load(_ context.Context, model string, cols []string, data [][]string, _ map[string]any) (*odoo.LoadResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loads++
	var injected error
	apply := true
	if f.fail != nil {
		injected, apply = f.fail(f.loads)
	}
	spans := recordSpans(data)
	f.sent += len(spans)
	f.sizes = append(f.sizes, len(spans))
	time.Sleep(time.Duration(len(spans)) * f.perRecord)
	if f.timeoutAbove > 0 && len(spans) > f.timeoutAbove {
		injected = &odoo.Error{Kind: odoo.KindTransport, Sent: true, Message: "/jsonrpc: context deadline exceeded"}
	}
	res := &odoo.LoadResult{}
	rollback := false
	for i, row := range data {
		m := map[string]string{}
		for j, c := range cols {
			m[c] = row[j]
		}
		if f.reject != nil {
			if msg := f.reject(model, m); msg != "" {
				res.Messages = append(res.Messages, odoo.LoadMessage{Type: "error", Message: msg, From: i, To: i, Field: f.field, Record: recordOf(spans, i)})
				rollback = true
			}
		}
		if f.warn != nil {
			if msg := f.warn(m); msg != "" {
				res.Messages = append(res.Messages, odoo.LoadMessage{Type: "warning", Message: msg, From: i, To: i, Field: "name", Record: recordOf(spans, i)})
			}
		}
		rollback = rollback || (f.silent != nil && f.silent(m))
	}
	if rollback {
		if f.global {
			res.Messages = append([]odoo.LoadMessage{{Type: "error", Message: "global failure"}}, res.Messages...)
		}
		res.RolledBack = true
		if injected != nil {
			return nil, injected
		}
		return res, nil
	}
	if injected != nil && !apply {
		return nil, injected
	}
	for _, sp := range spans {
		res.IDs = append(res.IDs, f.upsert(model, cols, data[sp[0]:sp[1]]))
	}
	if injected != nil {
		return nil, injected
	}
	return res, nil
}

func recordSpans(data [][]string) [][2]int {
	var out [][2]int
	for i, row := range data {
		if row[0] != "" || len(out) == 0 {
			out = append(out, [2]int{i, i + 1})
		} else {
			out[len(out)-1][1] = i + 1
		}
	}
	return out
}

func recordOf(spans [][2]int, row int) int {
	for i, sp := range spans {
		if row >= sp[0] && row < sp[1] {
			return i
		}
	}
	return -1
}

func (f *fakeTarget) upsert(model string, cols []string, rows [][]string) int64 {
	top := map[string]string{}
	lines := map[string]map[string]string{}
	for _, row := range rows {
		for j, c := range cols {
			if c == "id" {
				continue
			}
			if field, sub, ok := strings.Cut(c, "/"); ok && strings.HasSuffix(field, "_ids") && sub != "id" && sub != ".id" {
				lx := row[indexOf(cols, field+"/id")]
				if lines[lx] == nil {
					lines[lx] = map[string]string{}
				}
				lines[lx][sub] = row[j]
				continue
			}
			if row[0] != "" {
				top[c] = row[j]
			}
		}
	}
	id := f.put(model, rows[0][0], top)
	for lx, v := range lines {
		f.put(model+".line", lx, v)
		f.recs[lx].parent = rows[0][0]
	}
	return id
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

func (f *fakeTarget) put(model, xmlid string, values map[string]string) int64 {
	r, ok := f.recs[xmlid]
	if !ok {
		f.next++
		r = &fakeRec{id: f.next, model: model, values: map[string]string{}}
		f.recs[xmlid] = r
	}
	for k, v := range values {
		r.values[k] = v
	}
	return r.id
}

func (f *fakeTarget) Read(_ context.Context, model string, ids []int64, fields []string) ([]map[string]any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	var out []map[string]any
	for _, id := range ids {
		for x, r := range f.recs {
			if r.id != id {
				continue
			}
			m := map[string]any{"id": id}
			for _, fl := range fields {
				m[fl] = r.values[fl]
				if v, ok := r.values[fl+"/id"]; ok {
					m[fl] = v
				}
				if strings.HasSuffix(fl, "_ids") {
					m[fl] = f.linesOf(x)
				}
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// linesOf lists the ids of a record's lines, as Odoo reads a one2many.
func (f *fakeTarget) linesOf(xmlid string) []any {
	var ids []any
	for _, r := range f.recs {
		if r.parent == xmlid {
			ids = append(ids, r.id)
		}
	}
	return ids
}

// Unlink deletes records by id, as Odoo's unlink does with their external
// IDs.
func (f *fakeTarget) Unlink(_ context.Context, _ string, ids []int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for x, r := range f.recs {
		for _, id := range ids {
			if r.id == id {
				delete(f.recs, x)
			}
		}
	}
	return nil
}

func (f *fakeTarget) SearchRead(_ context.Context, model string, dom odoo.Domain, _ []string, _ odoo.Page) ([]map[string]any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.denied {
		return nil, &odoo.Error{Kind: odoo.KindAccess, Message: "no"}
	}
	if model != "ir.model.data" {
		return nil, fmt.Errorf("fake: search_read on %s", model)
	}
	mod := dom[1].([]any)[2].(string)
	var out []map[string]any
	if cond := dom[2].([]any); cond[1] == "=like" { // the pass's probe: name =like '<entity>_%'
		prefix := mod + "." + strings.TrimSuffix(cond[2].(string), "%")
		for x, r := range f.recs {
			if strings.HasPrefix(x, prefix) {
				out = append(out, map[string]any{"id": r.id})
			}
		}
		return out, nil
	}
	f.lookups++
	for _, n := range dom[2].([]any)[2].([]any) {
		if r, ok := f.recs[mod+"."+n.(string)]; ok {
			out = append(out, map[string]any{"name": n, "res_id": r.id})
		}
	}
	return out, nil
}

func (f *fakeTarget) Execute(_ context.Context, model, method string, args []any, _ map[string]any) (any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := args[0].([]any)[0].(int64)
	if f.execFail != nil {
		if msg := f.execFail(id); msg != "" {
			return nil, &odoo.Error{Kind: odoo.KindValidation, Model: model, Method: method, Message: msg}
		}
	}
	f.execs = append(f.execs, fmt.Sprintf("%s.%s(%d)", model, method, id))
	for _, r := range f.recs {
		if r.id == id {
			r.values["state"] = "posted"
		}
	}
	return true, nil
}

// state renders every record as "xmlid model k=v…", sorted, ids left out.
func (f *fakeTarget) state() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for x, r := range f.recs {
		var kv []string
		for k, v := range r.values {
			kv = append(kv, k+"="+v)
		}
		sort.Strings(kv)
		out = append(out, x+" "+r.model+" "+strings.Join(kv, " "))
	}
	sort.Strings(out)
	return out
}

var _ Target = (*fakeTarget)(nil)

// FieldsGet knows no types: every field compares as text.
func (f *fakeTarget) FieldsGet(context.Context, string, []string) (map[string]map[string]any, error) {
	return map[string]map[string]any{}, nil
}

func (f *fakeTarget) ExternalIDs(_ context.Context, _ string, ids []int64) (map[int64]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int64]string{}
	for x, r := range f.recs {
		for _, id := range ids {
			if r.id == id {
				out[id] = x
			}
		}
	}
	return out, nil
}
