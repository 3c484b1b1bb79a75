package rollback

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/ledger"
)

// stateTarget is a target whose moves have a state; button_draft resets a
// posted one and, as Odoo does, refuses a draft.
type stateTarget struct {
	fakeTarget
	state map[int64]string
}

func (s *stateTarget) Read(_ context.Context, _ string, ids []int64, _ []string) ([]map[string]any, error) {
	var out []map[string]any
	for _, id := range ids {
		if st, ok := s.state[id]; ok {
			out = append(out, map[string]any{"id": id, "state": st})
		}
	}
	return out, nil
}

func (s *stateTarget) Execute(_ context.Context, model, method string, args []any, _ map[string]any) (any, error) {
	s.calls = append(s.calls, method)
	id := args[0].([]any)[0].(int64)
	if s.state[id] != "posted" {
		return nil, denied(model, method) // Odoo: "Only posted/cancelled journal entries can be reset to draft."
	}
	s.state[id] = "draft"
	return nil, nil
}

// A posting whose answer was lost (its step pending) may or may not have
// happened: rollback resets the move to draft only when Odoo shows it
// posted, then deletes it; a posting known done is reset without asking.
func TestRollbackResetsAMoveWhosePostingsAnswerWasLostOnlyIfPosted(t *testing.T) {
	ctx := context.Background()
	st, r := beginRun(t)
	var rows []ledger.Row
	for i, x := range []string{"ns.i_1", "ns.i_2", "ns.i_3"} {
		rows = append(rows, ledger.Row{Entity: "invoices", Pass: 1, Key: x, ExternalID: x, State: ledger.Loaded, OdooID: int64(i + 1), Created: true, RunID: r.ID})
	}
	require.NoError(t, st.Commit(ctx, ledger.Batch{RunID: r.ID, Entity: "invoices", Pass: 1, Seq: 1, Rows: 3}, rows))
	step := func(x string, id int64, s ledger.StepState) ledger.Step {
		return ledger.Step{RunID: r.ID, Entity: "invoices", ExternalID: x, Method: "action_post", OdooID: id, Before: "draft", State: s}
	}
	require.NoError(t, st.PutSteps(ctx, []ledger.Step{step("ns.i_1", 1, ledger.StepDone), step("ns.i_2", 2, ledger.StepPending), step("ns.i_3", 3, ledger.StepPending)}))
	require.NoError(t, st.Finish(ctx, r.ID, ledger.StatusInterrupted, t0))

	p, err := Build(ctx, st, r.ID, []Entity{{Name: "invoices", Model: "account.move"}})
	require.NoError(t, err)
	byX := map[string]Action{}
	for _, a := range p.Actions {
		byX[a.ExternalID] = a
	}
	require.True(t, byX["ns.i_1"].Draft)
	require.True(t, byX["ns.i_2"].MaybePosted && !byX["ns.i_2"].Draft)
	require.True(t, byX["ns.i_3"].MaybePosted)

	tg := &stateTarget{state: map[int64]string{1: "posted", 2: "posted", 3: "draft"}} // i_2's posting happened, i_3's did not
	res, err := Apply(ctx, tg, p, Options{Force: true})
	require.NoError(t, err)
	require.Empty(t, res.Refused)
	require.Equal(t, 3, res.Deleted)
	require.ElementsMatch(t, []int64{1, 2, 3}, tg.unlinked)
	require.Equal(t, []string{"button_draft", "button_draft"}, tg.calls, "the draft i_3 is not reset")
}
