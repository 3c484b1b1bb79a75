package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/demo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
)

// TestSpilledIndexesSameFindings streams every pass of the benchmark's
// plan and of the demo plan twice, with the default index budget and with
// none (every key index on disk), and requires the same outcomes.
func TestSpilledIndexesSameFindings(t *testing.T) {
	demoDir := t.TempDir()
	require.NoError(t, os.CopyFS(demoDir, demo.Files()))
	for _, tc := range []struct{ name, plan string }{
		{"benchmark", writeBenchData(t, t.TempDir(), 20_000)},
		{"demo", filepath.Join(demoDir, demo.PlanName)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem, spilledMem := streamOutcomes(t, tc.plan, pipeline.Options{})
			disk, spilledDisk := streamOutcomes(t, tc.plan, pipeline.Options{IndexBudget: -1, SpillDir: t.TempDir()})
			require.Zero(t, spilledMem)
			require.Positive(t, spilledDisk)
			require.Equal(t, len(mem), len(disk))
			for i := range mem {
				require.Equal(t, mem[i], disk[i], "outcome %d", i)
			}
		})
	}
}

// streamOutcomes returns one line per outcome of every pass: state, skip rule
// and findings.
func streamOutcomes(t *testing.T, planPath string, opts pipeline.Options) ([]string, int) {
	pl := prepareBench(t, planPath, opts)
	var out []string
	for _, e := range pl.Entities() {
		require.NoError(t, pl.Stream(context.Background(), e, func(o pipeline.Outcome) error {
			out = append(out, fmt.Sprintf("%s/%d %v %s %v", e.Name, e.Pass, o.State, o.SkipRule, o.Findings))
			return nil
		}))
	}
	spilled := pipeline.SpilledIndexes(pl)
	require.NoError(t, pl.Close())
	if opts.SpillDir != "" {
		left, err := os.ReadDir(opts.SpillDir)
		require.NoError(t, err)
		require.Empty(t, left, "spill files are removed by Close")
	}
	return out, spilled
}
