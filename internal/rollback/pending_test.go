package rollback

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
)

// fakeTarget records what rollback does. Records exist by external ID
// (xmlids); imd and ref say whether ir.model.data may be read and
// check_object_reference called.
type fakeTarget struct {
	xmlids      map[string]int64
	noIMD       bool
	noRef       bool
	calls       []string
	unlinked    []int64
	written     map[int64]map[string]any
	translation []string
}

func denied(model, method string) error {
	return &odoo.Error{Kind: odoo.KindAccess, Class: "odoo.exceptions.AccessError", Model: model, Method: method,
		Message: "You are not allowed to access 'Model Data' (ir.model.data) records."}
}

func (f *fakeTarget) Read(context.Context, string, []int64, []string) ([]map[string]any, error) {
	return nil, nil
}

func (f *fakeTarget) FieldsGet(context.Context, string, []string) (map[string]map[string]any, error) {
	return nil, nil
}

func (f *fakeTarget) ExternalIDs(context.Context, string, []int64) (map[int64]string, error) {
	return nil, nil
}

func (f *fakeTarget) SearchRead(_ context.Context, model string, dom odoo.Domain, _ []string, _ odoo.Page) ([]map[string]any, error) {
	f.calls = append(f.calls, "search_read "+model)
	if f.noIMD {
		return nil, denied(model, "search_read")
	}
	module := dom[1].([]any)[2].(string)
	var out []map[string]any
	for _, n := range dom[2].([]any)[2].([]any) {
		if id, ok := f.xmlids[module+"."+n.(string)]; ok {
			out = append(out, map[string]any{"name": n, "res_id": id})
		}
	}
	return out, nil
}

func (f *fakeTarget) Unlink(_ context.Context, _ string, ids []int64) error {
	f.unlinked = append(f.unlinked, ids...)
	return nil
}

func (f *fakeTarget) Write(_ context.Context, _ string, ids []int64, vals map[string]any) error {
	if f.written == nil {
		f.written = map[int64]map[string]any{}
	}
	f.written[ids[0]] = vals
	return nil
}

func (f *fakeTarget) Execute(_ context.Context, model, method string, args []any, _ map[string]any) (any, error) {
	f.calls = append(f.calls, method)
	if method != "check_object_reference" {
		return nil, fmt.Errorf("unexpected call %s.%s", model, method)
	}
	if f.noRef {
		return nil, denied(model, method)
	}
	x := args[0].(string) + "." + args[1].(string)
	id, ok := f.xmlids[x]
	if !ok {
		return nil, &odoo.Error{Kind: odoo.KindServer, Class: "builtins.ValueError", Message: "External ID not found in the system: " + x}
	}
	return []any{"res.partner", id}, nil
}

// beginRun opens a fresh ledger (closed when the test ends) and begins a
// run of plan p in it.
func beginRun(t *testing.T) (*ledger.Store, *ledger.Run) {
	t.Helper()
	st, err := ledger.Open(context.Background(), t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	r, err := st.Begin(context.Background(), "p", "d", nil, false, t0)
	require.NoError(t, err)
	return st, r
}

// lostAnswer writes a run whose second batch was sent and never answered:
// ns.p_1 created (id 10), ns.p_2 and ns.p_3 pending to be created, ns.p_4
// pending to be updated (id 4, its before-image stored with the batch).
func lostAnswer(t *testing.T) (*ledger.Store, string) {
	t.Helper()
	ctx := context.Background()
	st, r := beginRun(t)
	row := func(k string, state ledger.State, id int64, created bool) ledger.Row {
		return ledger.Row{Entity: "partners", Pass: 1, Key: k, ExternalID: k, State: state, OdooID: id, Created: created, RunID: r.ID}
	}
	require.NoError(t, st.Commit(ctx, ledger.Batch{RunID: r.ID, Entity: "partners", Pass: 1, Seq: 1, Rows: 1},
		[]ledger.Row{row("ns.p_1", ledger.Loaded, 10, true)}))
	require.NoError(t, st.MarkSent(ctx, ledger.Batch{RunID: r.ID, Entity: "partners", Pass: 1, Seq: 2, Rows: 3},
		[]ledger.Row{row("ns.p_2", ledger.Pending, 0, true), row("ns.p_3", ledger.Pending, 0, true), row("ns.p_4", ledger.Pending, 4, false)},
		[]ledger.Image{{RunID: r.ID, Model: "res.partner", OdooID: 4, ExternalID: "ns.p_4", Fields: []byte(`{"name":"Before"}`)}}))
	require.NoError(t, st.Finish(ctx, r.ID, ledger.StatusInterrupted, t0))
	return st, r.ID
}

func kindsOf(acts []Action) []string {
	var out []string
	for _, a := range acts {
		s := fmt.Sprintf("%s %s %d", a.Kind, a.ExternalID, a.ID)
		if a.Unconfirmed {
			s += " ?"
		}
		out = append(out, s)
	}
	return out
}

// The records of a batch whose answer was lost are in the plan by
// external ID; Apply deletes those Odoo has (newest first, with the
// entity's others), notes those it has not, and restores the record the
// batch was updating.
func TestApplyLooksUpTheRecordsOfALostAnswer(t *testing.T) {
	ctx := context.Background()
	st, run := lostAnswer(t)
	p, err := Build(ctx, st, run, []Entity{{Name: "partners", Model: "res.partner"}})
	require.NoError(t, err)
	require.Equal(t, []string{"delete ns.p_1 10", "restore ns.p_4 4", "delete ns.p_2 0 ?", "delete ns.p_3 0 ?"}, kindsOf(p.Actions))

	for _, tc := range []struct {
		name  string
		noIMD bool
		note  string
	}{
		{"ir.model.data", false, ""},
		{"check_object_reference", true, "the user may not read ir.model.data: the 2 record(s) of a lost answer were looked up one by one by external ID (check_object_reference)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg := &fakeTarget{xmlids: map[string]int64{"ns.p_2": 11}, noIMD: tc.noIMD}
			res, err := Apply(ctx, tg, p, Options{})
			require.NoError(t, err)
			require.Equal(t, []int64{11, 10}, tg.unlinked, "the record the lost answer created first: it is the newest")
			require.Equal(t, map[int64]map[string]any{4: {"name": "Before"}}, tg.written)
			require.Equal(t, 2, res.Deleted)
			require.Equal(t, 1, res.Restored)
			require.Empty(t, res.Refused)
			notes := strings.Join(res.Notes, "\n")
			require.Contains(t, notes, "1 record(s) of a lost answer are not in Odoo (their batch did not create them): nothing to delete (ns.p_3)")
			require.Contains(t, notes, tc.note)
			require.Equal(t, []string{"delete ns.p_1 10", "restore ns.p_4 4", "delete ns.p_2 0 ?", "delete ns.p_3 0 ?"}, kindsOf(p.Actions),
				"the plan itself is not changed")
		})
	}
}

// A user who may neither read ir.model.data nor call
// check_object_reference gets the records of the lost answer refused,
// saying how to proceed; the rest is undone.
func TestApplyRefusesRecordsOfALostAnswerItCannotLookUp(t *testing.T) {
	ctx := context.Background()
	st, run := lostAnswer(t)
	p, err := Build(ctx, st, run, []Entity{{Name: "partners", Model: "res.partner"}})
	require.NoError(t, err)
	tg := &fakeTarget{xmlids: map[string]int64{"ns.p_2": 11}, noIMD: true, noRef: true}
	res, err := Apply(ctx, tg, p, Options{})
	require.NoError(t, err)
	require.Equal(t, []int64{10}, tg.unlinked)
	require.Equal(t, 1, res.Restored)
	require.Len(t, res.Refused, 2)
	for _, r := range res.Refused {
		require.True(t, r.Action.Unconfirmed)
		var le *LookupError
		require.ErrorAs(t, r.Err, &le)
		require.ErrorContains(t, r.Err, "resume the run (ferry run) so that the ledger learns the record's id, then roll back again")
		require.True(t, odoo.IsKind(r.Err, odoo.KindAccess))
	}
}
