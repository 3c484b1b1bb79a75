package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/demo"
	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
	"github.com/ferry-migrate/ferry/internal/validate"
)

func TestDemoPlanOffline(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, demo.Files()))
	p, ds, err := plan.Load(filepath.Join(dir, demo.PlanName))
	require.NoError(t, err)
	require.Empty(t, ds)
	raw, err := orm.RecordedSchema(18)
	require.NoError(t, err)
	schema, _, err := validate.ParseSchema(raw, "odoo18")
	require.NoError(t, err)
	pl, err := pipeline.Prepare(context.Background(), p, pipeline.Options{Schema: schema})
	if pe, ok := err.(*pipeline.PlanError); ok {
		for _, d := range pe.Findings {
			t.Log(d)
		}
	}
	require.NoError(t, err)
	codes := map[string]int{}
	for _, e := range pl.Entities() {
		counts := map[pipeline.State]int{}
		require.NoError(t, pl.Stream(context.Background(), e, func(o pipeline.Outcome) error {
			counts[o.State]++
			for _, d := range o.Findings {
				if d.Severity >= diag.Warning {
					codes[d.Code]++
				}
			}
			return nil
		}))
		t.Logf("%s pass %d: %v", e.Name, e.Pass, counts)
	}
	t.Log(codes)
	for _, d := range pl.Findings() {
		t.Log(d)
	}
}
