package pipeline_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// reusePlan reads, in each row, what a map reused from the row before
// would still hold: the skip filter sees out or key if the environment
// kept them, the required rule sees a date (in ref) the row's own
// expression failed to produce, and comment reads that date back.
const reusePlan = `version: 1
name: t
namespace: acme_r
target: {url: "http://x", api_key: {env: K}}
sources:
  s: {kind: csv, path: .}
entities:
  - name: partners
    model: res.partner
    from: {source: s, file: p.csv}
    key: code
    skip:
      - {name: leaked, when: '"out" in $env || "key" in $env', reason: a map kept the row before's values}
    fields:
      name: trim(row.name)
      email: row.email
      ref: parse_date(row.since, "DD.MM.YYYY")
      comment: 'out.ref == nil ? "no date" : "dated " + out.ref'
    rules:
      - {required: [ref], severity: warning}
`

const reuseRows = `code,name,email,since
A1,Ada,ada@example.com,01.02.2020
A2,,,
A3,Bob,bob@example.com,31.02.2020
A4,Cy,,
A5,Di,di@example.com,03.04.2021
A6,Ed,,31.02.2020
`

func prepareReuse(t *testing.T, batch int) (*pipeline.Pipeline, *pipeline.Entity) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plan.yaml"), []byte(reusePlan), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p.csv"), []byte(reuseRows), 0o644))
	p, ds, err := plan.Load(filepath.Join(dir, "plan.yaml"))
	require.NoError(t, err)
	require.Empty(t, ds)
	raw, err := orm.RecordedSchema(18)
	require.NoError(t, err)
	schema, _, err := validate.ParseSchema(raw, "odoo18")
	require.NoError(t, err)
	pl, err := pipeline.Prepare(context.Background(), p, pipeline.Options{Schema: schema, LookupBatch: batch})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pl.Close() })
	return pl, pl.Entities()[0]
}

// snapshot copies what an Outcome holds, so a reused Row can be compared.
type snapshot struct {
	key    string
	state  pipeline.State
	values map[string]any
	codes  []string
}

func snap(o pipeline.Outcome) snapshot {
	s := snapshot{key: o.Source.Values["code"].(string), state: o.State}
	if o.Row != nil {
		s.values = maps.Clone(o.Row.Values)
	}
	for _, d := range o.Findings {
		s.codes = append(s.codes, d.Code)
	}
	return s
}

// TestReusedMapsKeepNothingOfTheRowBefore streams rows whose fields are
// empty or fail after rows where they were set, with one row a batch (so
// every row gets the work, values map and environment of the row before)
// and with the default batch, and in DryRun's scratch mode (one Row for
// all rows).
func TestReusedMapsKeepNothingOfTheRowBefore(t *testing.T) {
	want := []snapshot{
		{key: "A1", values: map[string]any{"name": "Ada", "email": "ada@example.com", "ref": "2020-02-01", "comment": "dated 2020-02-01"}},
		{key: "A2", values: map[string]any{"name": nil, "email": nil, "ref": nil, "comment": "no date"}, codes: []string{"VAL308"}},
		{key: "A3", state: pipeline.Quarantined, codes: []string{"MAP213", "VAL308"}},
		{key: "A4", values: map[string]any{"name": "Cy", "email": nil, "ref": nil, "comment": "no date"}, codes: []string{"VAL308"}},
		{key: "A5", values: map[string]any{"name": "Di", "email": "di@example.com", "ref": "2021-04-03", "comment": "dated 2021-04-03"}},
		{key: "A6", state: pipeline.Quarantined, codes: []string{"MAP213", "VAL308"}},
	}
	for _, batch := range []int{1, 2, 500} {
		for _, scratch := range []bool{false, true} {
			pl, e := prepareReuse(t, batch)
			var got []snapshot
			fn := func(o pipeline.Outcome) error {
				got = append(got, snap(o))
				return nil
			}
			if scratch {
				require.NoError(t, pipeline.StreamScratch(context.Background(), pl, e, fn))
			} else {
				require.NoError(t, pl.Stream(context.Background(), e, fn))
			}
			require.Equal(t, want, got, "batch %d, scratch %v", batch, scratch)
		}
	}
}

// TestScratchRowIsOnlyValidDuringFn shows what scratch mode promises and
// no more: the Row an Outcome carries is the same Row for every row.
func TestScratchRowIsOnlyValidDuringFn(t *testing.T) {
	pl, e := prepareReuse(t, 500)
	var rows []*record.Row
	require.NoError(t, pipeline.StreamScratch(context.Background(), pl, e, func(o pipeline.Outcome) error {
		if o.Row != nil {
			rows = append(rows, o.Row)
		}
		return nil
	}))
	require.Len(t, rows, 4)
	require.Same(t, rows[0], rows[3])
	pl2, e2 := prepareReuse(t, 500)
	var kept []*record.Row
	require.NoError(t, pl2.Stream(context.Background(), e2, func(o pipeline.Outcome) error {
		if o.Row != nil {
			kept = append(kept, o.Row)
		}
		return nil
	}))
	require.NotSame(t, kept[0], kept[3])
	require.Equal(t, "Ada", kept[0].Values["name"], "Stream's Rows are the caller's to keep")
}
