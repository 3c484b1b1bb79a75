package backup

import (
	"context"
	"errors"
	"sort"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
)

// Entry is one id in a store: its manifest, or why it cannot be read (an
// interrupted backup has no manifest).
type Entry struct {
	ID       string
	Manifest *Manifest
	Err      error
}

// ListIn returns every id in s: the complete backups newest first, then
// those without a readable manifest by id. Manifests are checked against
// their digests, not their signatures.
func ListIn(ctx context.Context, s dest.Store) ([]Entry, error) {
	ids, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(ids))
	for _, id := range ids {
		m, err := ReadManifest(ctx, s, id, nil)
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, dest.ErrNotExist) {
			return nil, err
		}
		out = append(out, Entry{ID: id, Manifest: m, Err: err})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Manifest == nil) != (b.Manifest == nil) {
			return a.Manifest != nil
		}
		if a.Manifest != nil && !a.Manifest.Created.Equal(b.Manifest.Created) {
			return a.Manifest.Created.After(b.Manifest.Created)
		}
		return a.ID > b.ID
	})
	return out, nil
}

// List returns the manifests of the complete backups in the local
// directory dir, newest first.
func List(dir string) ([]*Manifest, error) {
	entries, err := ListIn(context.Background(), dest.Local{Dir: dir})
	var out []*Manifest
	for _, e := range entries {
		if e.Manifest != nil {
			out = append(out, e.Manifest)
		}
	}
	return out, err
}

// Prune keeps the newest keep complete backups in s and removes the other
// complete ones; ids without a readable manifest are left alone. keep < 1
// keeps everything. It returns the ids it removed.
func Prune(ctx context.Context, s dest.Store, keep int) ([]string, error) {
	entries, err := ListIn(ctx, s)
	if err != nil || keep < 1 {
		return nil, err
	}
	var gone []string
	kept := 0
	for _, e := range entries {
		if e.Manifest == nil {
			continue
		}
		if kept++; kept <= keep {
			continue
		}
		if err := s.Remove(ctx, e.ID); err != nil {
			return gone, err
		}
		gone = append(gone, e.ID)
	}
	return gone, nil
}
