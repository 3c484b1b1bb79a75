package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Translation steps of a record: the newest run's step wins, and the
// after-load steps of the same records are kept apart.
func testTranslationSteps(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	r1, err := s.Begin(ctx, "p", "d", nil, false, t0)
	require.NoError(t, err)
	require.NoError(t, s.Finish(ctx, r1.ID, StatusDone, t0.Add(time.Minute)))
	r2, err := s.Begin(ctx, "p", "d", nil, false, t0.Add(time.Hour))
	require.NoError(t, err)
	step := func(run, x, digest string, st StepState) Step {
		return Step{RunID: run, Entity: "products", ExternalID: x, Method: MethodTranslations, OdooID: 7, Before: digest, State: st}
	}
	require.NoError(t, s.PutSteps(ctx, []Step{step(r2.ID, "ns.p_1", "b", StepPending), step(r1.ID, "ns.p_1", "a", StepDone),
		step(r1.ID, "ns.p_2", "c", StepFailed),
		{RunID: r2.ID, Entity: "products", ExternalID: "ns.p_1", Method: "action_done", OdooID: 7, State: StepDone}}))

	got, err := s.TranslationSteps(ctx, "products")
	require.NoError(t, err)
	require.Equal(t, map[string]Step{"ns.p_1": step(r2.ID, "ns.p_1", "b", StepPending), "ns.p_2": step(r1.ID, "ns.p_2", "c", StepFailed)}, got)

	after, err := s.Steps(ctx, r2.ID, "products")
	require.NoError(t, err)
	require.Len(t, after, 1)
	require.Equal(t, "action_done", after["ns.p_1"].Method, "after-load steps never see translation steps")
}
