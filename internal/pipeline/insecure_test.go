package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/demo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/open"
)

// insecure is a source whose connection the user left unencrypted.
type insecure struct{ source.Source }

func (insecure) Warning() string { return "the connection to db.example.com is not encrypted" }

func TestAnUnencryptedSourceIsReportedOnEveryRun(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, demo.Files()))
	p, _, err := plan.Load(filepath.Join(dir, demo.PlanName))
	require.NoError(t, err)
	rec := &progress.Recorder{}
	opener := func(ctx context.Context, name string, spec source.Spec, sel source.Select, d string) (source.Source, error) {
		s, err := open.Open(ctx, name, spec, sel, d)
		return insecure{s}, err
	}
	pl, err := pipeline.Prepare(context.Background(), p, pipeline.Options{Open: opener, Events: rec})
	require.NoError(t, err)
	defer pl.Close()
	for _, e := range pl.Entities() {
		require.NoError(t, pl.Stream(context.Background(), e, func(pipeline.Outcome) error { return nil }))
	}
	warnings := 0
	for _, ev := range rec.Events() {
		if m, ok := ev.(progress.Message); ok && m.Level == "warning" {
			warnings++
			require.Contains(t, m.Text, "not encrypted")
		}
	}
	require.Equal(t, 1, warnings, "once per source, however many entities read it")
	found := false
	for _, d := range pl.Findings() {
		found = found || d.Code == "SEC601"
	}
	require.True(t, found)
}
