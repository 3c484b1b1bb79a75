package sourcetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Run checks the source open returns; open is called once per check and
// the suite closes what it opens. want holds the rows the source must
// deliver, in order, each with its values in schema order. Times compare
// as instants; []byte compares as its bytes.
func Run(t *testing.T, open func(t *testing.T) source.Source, want [][]any) {
	t.Helper()
	require.NotEmpty(t, want, "the suite needs at least one row")
	t.Run("schema", func(t *testing.T) { schema(t, open(t), len(want[0])) })
	t.Run("every row once in order", func(t *testing.T) { everyRow(t, open(t), want) })
	t.Run("resume from every position", func(t *testing.T) { resume(t, open(t), want) })
	t.Run("callback error stops the scan", func(t *testing.T) { callbackError(t, open(t)) })
	t.Run("cancelled context", func(t *testing.T) { cancelled(t, open(t), len(want)) })
	t.Run("close twice", func(t *testing.T) {
		s := open(t)
		scan(t, s, record.Position{})
		require.NoError(t, s.Close())
		require.NoError(t, s.Close())
	})
}

func schema(t *testing.T, s source.Source, n int) {
	defer s.Close()
	sch, err := s.Schema(context.Background())
	require.NoError(t, err)
	require.Len(t, sch.Columns, n, "one column per value of a wanted row")
	seen := map[string]bool{}
	for _, c := range sch.Columns {
		require.NotEmpty(t, c.Name)
		require.NotEmpty(t, c.Type, "column %s has a type", c.Name)
		require.False(t, seen[c.Name], "column %s appears once", c.Name)
		seen[c.Name] = true
	}
	for _, r := range scan(t, s, record.Position{}) {
		require.Equal(t, sch.Names(), r.Columns, "records carry the schema's columns at %s", r.Pos)
	}
}

func everyRow(t *testing.T, s source.Source, want [][]any) {
	defer s.Close()
	sch, err := s.Schema(context.Background())
	require.NoError(t, err)
	first := scan(t, s, record.Position{})
	require.Equal(t, normalize(want), values(sch, first), "the rows, in order")
	for _, r := range first {
		require.Empty(t, r.Problem, "a clean row has no problem at %s", r.Pos)
		require.Equal(t, first[0].Pos.Source, r.Pos.Source, "positions name the source")
		require.NotEmpty(t, r.Pos.Source)
	}
	second := scan(t, s, record.Position{})
	require.Equal(t, values(sch, first), values(sch, second), "a second scan gives the same rows")
	require.Equal(t, positions(first), positions(second), "and the same positions")
}

func resume(t *testing.T, s source.Source, want [][]any) {
	defer s.Close()
	sch, err := s.Schema(context.Background())
	require.NoError(t, err)
	all := scan(t, s, record.Position{})
	require.Len(t, all, len(want))
	for i, r := range all {
		rest := scan(t, s, r.Pos)
		require.Equal(t, normalize(want[i+1:]), values(sch, rest), "resume after %s", r.Pos)
		require.Equal(t, positions(all[i+1:]), positions(rest), "positions after resuming from %s", r.Pos)
	}
}

var errStop = errors.New("sourcetest: stop")

func callbackError(t *testing.T, s source.Source) {
	defer s.Close()
	n := 0
	err := s.Scan(context.Background(), record.Position{}, func(*record.Record) error {
		n++
		return errStop
	})
	require.ErrorIs(t, err, errStop)
	require.Equal(t, 1, n, "no record after the callback's error")
}

func cancelled(t *testing.T, s source.Source, rows int) {
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	err := s.Scan(ctx, record.Position{}, func(*record.Record) error { n++; return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, n, "no record once the context is cancelled")

	if rows < 2 {
		return
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	n = 0
	err = s.Scan(ctx, record.Position{}, func(*record.Record) error { n++; cancel(); return nil })
	require.ErrorIs(t, err, context.Canceled, "a scan cancelled midway stops with the context's error")
	require.Equal(t, 1, n, "no record after the cancellation")
}

func scan(t *testing.T, s source.Source, after record.Position) []*record.Record {
	t.Helper()
	var out []*record.Record
	require.NoError(t, s.Scan(context.Background(), after, func(r *record.Record) error { out = append(out, r); return nil }))
	return out
}

func values(sch record.Schema, rs []*record.Record) [][]any {
	out := [][]any{}
	for _, r := range rs {
		row := make([]any, len(sch.Columns))
		for i, c := range sch.Columns {
			row[i] = r.Values[c.Name]
		}
		out = append(out, normalizeRow(row))
	}
	return out
}

func positions(rs []*record.Record) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%+v", r.Pos))
	}
	return out
}

func normalize(rows [][]any) [][]any {
	out := [][]any{}
	for _, r := range rows {
		out = append(out, normalizeRow(r))
	}
	return out
}

// normalizeRow makes values comparable: times as UTC instants and bytes
// tagged so that neither ever equals a plain string, ints as int64.
func normalizeRow(row []any) []any {
	out := make([]any, len(row))
	for i, v := range row {
		switch x := v.(type) {
		case time.Time:
			out[i] = "time(" + x.UTC().Format(time.RFC3339Nano) + ")"
		case []byte:
			out[i] = fmt.Sprintf("bytes(%x)", x)
		case int:
			out[i] = int64(x)
		default:
			out[i] = v
		}
	}
	return out
}
