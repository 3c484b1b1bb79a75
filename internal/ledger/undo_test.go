package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A step's image is the first one stored: a resumed run that reads the
// record again (and finds its own values) does not replace it, nor does a
// later state that carries none.
func testStepImageKeepsTheFirst(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	st := Step{RunID: "r", Entity: "products", ExternalID: "ns.p_1", Method: MethodTranslations, OdooID: 7, Before: "d", State: StepPending}
	require.NoError(t, s.PutSteps(ctx, []Step{st}))
	st.Image = `{"before":{"name":{"source":"Chair","langs":{"fr_BE":"Chair"}}}}`
	require.NoError(t, s.PutSteps(ctx, []Step{st}))
	first := st.Image
	st.Image = `{"before":{"name":{"source":"Chair","langs":{"fr_BE":"Chaise"}}}}`
	require.NoError(t, s.PutSteps(ctx, []Step{st}))
	st.Image, st.State = "", StepDone
	require.NoError(t, s.PutSteps(ctx, []Step{st}))

	got, err := s.RunSteps(ctx, "r", "products", MethodTranslations)
	require.NoError(t, err)
	st.Image = first
	require.Equal(t, map[string]Step{"ns.p_1": st}, got)
}

// Archiving keeps the records' before-images with the run's other images
// and a step per record, apart from the after-load steps; a second read
// (a resumed run) does not replace the first values.
func testMarkArchiving(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	im := Image{RunID: "r", Model: "res.partner", OdooID: 3, ExternalID: "ns.c_3", Fields: []byte(`{"active":true}`)}
	st := Step{RunID: "r", Entity: "customers", ExternalID: "ns.c_3", Method: MethodArchive, OdooID: 3, State: StepPending}
	require.NoError(t, s.MarkArchiving(ctx, []Image{im}, []Step{st}))
	im.Fields = []byte(`{"active":false}`)
	require.NoError(t, s.MarkArchiving(ctx, []Image{im}, nil))
	st.State = StepDone
	require.NoError(t, s.PutSteps(ctx, []Step{st}))

	ims, err := s.Images(ctx, "r")
	require.NoError(t, err)
	require.Len(t, ims, 1)
	require.JSONEq(t, `{"active":true}`, string(ims[0].Fields), "the value before the run archived it")
	got, err := s.RunSteps(ctx, "r", "customers", MethodArchive)
	require.NoError(t, err)
	require.Equal(t, map[string]Step{"ns.c_3": st}, got)
	after, err := s.Steps(ctx, "r", "customers")
	require.NoError(t, err)
	require.Empty(t, after, "after-load steps never see archive steps")
}

// The translations a rolled-back run wrote were written back: the next
// run compares with the run before it.
func testTranslationStepsSkipRolledBackRuns(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	r1, err := s.Begin(ctx, "p", "d", nil, false, t0)
	require.NoError(t, err)
	require.NoError(t, s.Finish(ctx, r1.ID, StatusDone, t0))
	r2, err := s.Begin(ctx, "p", "d", nil, false, t0.Add(time.Hour))
	require.NoError(t, err)
	step := func(run, digest string) Step {
		return Step{RunID: run, Entity: "products", ExternalID: "ns.p_1", Method: MethodTranslations, OdooID: 7, Before: digest, State: StepDone}
	}
	require.NoError(t, s.PutSteps(ctx, []Step{step(r1.ID, "a"), step(r2.ID, "b")}))
	require.NoError(t, s.Finish(ctx, r2.ID, StatusDone, t0.Add(time.Hour)))
	got, err := s.TranslationSteps(ctx, "products")
	require.NoError(t, err)
	require.Equal(t, "b", got["ns.p_1"].Before)

	require.NoError(t, s.MarkRolledBack(ctx, r2.ID, t0.Add(2*time.Hour)))
	got, err = s.TranslationSteps(ctx, "products")
	require.NoError(t, err)
	require.Equal(t, step(r1.ID, "a"), got["ns.p_1"])
}

// A ledger of schema 4 gains the steps' images, empty for the steps it
// holds.
func testMigrationToStepImages(t *testing.T, b backend) {
	ctx := context.Background()
	loc := b.location(t)
	old := openRaw(t, b, loc)
	require.NoError(t, old.migrateTo(ctx, 4))
	_, err := old.db.ExecContext(ctx, `INSERT INTO steps (run_id, entity, external_id, method, odoo_id, state) VALUES ('r', 'e', 'x', 'action_post', 1, 'done')`)
	require.NoError(t, err)
	require.NoError(t, old.db.Close())

	s, err := b.openAt(ctx, loc)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	got, err := s.Steps(ctx, "r", "e")
	require.NoError(t, err)
	require.Equal(t, map[string]Step{"x": {RunID: "r", Entity: "e", ExternalID: "x", Method: "action_post", OdooID: 1, State: StepDone}}, got)
}
