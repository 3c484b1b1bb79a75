// Package sourcetest is the conformance suite every source runs: the
// schema names the columns, Scan delivers every row once in a stable
// order, resuming from any delivered position gives exactly the rest,
// cancellation stops a scan, and Close may be called twice.
package sourcetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Run checks the source that open returns. The source must hold the rows
// whose column key has the values want, in this order, and have columns.
func Run(t *testing.T, open func(t *testing.T) source.Source, columns []string, key string, want []string) {
	ctx := context.Background()
	t.Run("schema", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		sch, err := s.Schema(ctx)
		require.NoError(t, err)
		require.Equal(t, columns, sch.Names())
	})
	t.Run("every row once, in order, then resume anywhere", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		all := scan(t, s, record.Position{})
		require.Equal(t, want, keys(all, key))
		for i, r := range all {
			require.Empty(t, r.Problem)
			rest := scan(t, s, r.Pos)
			require.Equal(t, want[i+1:], keys(rest, key), "resume after %v", r.Pos)
		}
		require.Equal(t, keys(all, key), keys(scan(t, s, record.Position{}), key), "a second scan gives the same rows")
	})
	t.Run("cancellation and close", func(t *testing.T) {
		s := open(t)
		c, cancel := context.WithCancel(ctx)
		cancel()
		_, _ = s.Schema(ctx)
		err := s.Scan(c, record.Position{}, func(*record.Record) error { return nil })
		require.Error(t, err)
		require.NoError(t, s.Close())
		require.NoError(t, s.Close())
	})
}

func scan(t *testing.T, s source.Source, after record.Position) []*record.Record {
	var out []*record.Record
	require.NoError(t, s.Scan(context.Background(), after, func(r *record.Record) error { out = append(out, r); return nil }))
	return out
}

func keys(rs []*record.Record, key string) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, record.Text(r.Values[key]))
	}
	return out
}
