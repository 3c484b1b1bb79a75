package demo

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/plan"
)

func TestFiles(t *testing.T) {
	b, err := fs.ReadFile(Files(), PlanName)
	require.NoError(t, err)
	p, ds := plan.Parse(b, PlanName)
	require.Empty(t, ds)
	require.Equal(t, "none", p.Backup)
	for _, e := range p.Entities {
		_, err := fs.Stat(Files(), "data/"+e.From.File)
		require.NoError(t, err, e.Name)
	}
}
