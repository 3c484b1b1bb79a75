package desttest

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
)

// Run checks the Store contract on s, which must be empty: files appear
// only on Commit, Abort leaves nothing, List names the ids, Remove takes
// an id with its files, missing files wrap ErrNotExist and names that
// could leave the store are refused.
func Run(t *testing.T, s dest.Store) {
	ctx := context.Background()
	t.Run("commit then read back", func(t *testing.T) {
		payload := bytes.Repeat([]byte("ferry backup "), 300_000) // several upload parts' worth of writes
		put(t, s, "b1/part", payload)
		require.Equal(t, payload, get(t, s, "b1/part"))
	})
	t.Run("abort leaves nothing", func(t *testing.T) {
		w, err := s.Create(ctx, "b2/part")
		require.NoError(t, err)
		_, err = w.Write([]byte("half"))
		require.NoError(t, err)
		w.Abort()
		_, err = s.Open(ctx, "b2/part")
		require.ErrorIs(t, err, dest.ErrNotExist)
		require.NoError(t, s.Remove(ctx, "b2"))
	})
	t.Run("list and remove", func(t *testing.T) {
		put(t, s, "b3/a", []byte("a"))
		put(t, s, "b3/b", []byte("b"))
		ids, err := s.List(ctx)
		require.NoError(t, err)
		slices.Sort(ids)
		require.Equal(t, []string{"b1", "b3"}, ids)
		require.NoError(t, s.Remove(ctx, "b3"))
		require.NoError(t, s.Remove(ctx, "b3"), "removing a missing id is not an error")
		ids, err = s.List(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"b1"}, ids)
	})
	t.Run("names that leave the store are refused", func(t *testing.T) {
		for _, name := range []string{"../x", "b1/../../x", "/etc/passwd", "b1/..", `b1\x`, "b1/x/y", ""} {
			_, err := s.Create(ctx, name)
			require.ErrorContains(t, err, "refused", name)
			_, err = s.Open(ctx, name)
			require.ErrorContains(t, err, "refused", name)
		}
		require.ErrorContains(t, s.Remove(ctx, ".."), "refused")
	})
}

func put(t *testing.T, s dest.Store, name string, b []byte) {
	t.Helper()
	w, err := s.Create(context.Background(), name)
	require.NoError(t, err)
	for len(b) > 0 { // in 64 KiB writes, as age hands them over
		n := min(len(b), 64<<10)
		_, err = w.Write(b[:n])
		require.NoError(t, err)
		b = b[n:]
	}
	require.NoError(t, w.Commit())
}

func get(t *testing.T, s dest.Store, name string) []byte {
	t.Helper()
	r, err := s.Open(context.Background(), name)
	require.NoError(t, err)
	defer r.Close()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return b
}
