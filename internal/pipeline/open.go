package pipeline

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/source"
)

// OpenSource opens a selection of one of the plan's sources with the
// pipeline's opener (for control totals and discovery, which read sources
// outside the mapping).
func (p *Pipeline) OpenSource(ctx context.Context, sel source.Select) (source.Source, error) {
	return p.open(ctx, sel)
}
