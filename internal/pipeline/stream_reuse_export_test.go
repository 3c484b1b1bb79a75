package pipeline

import "context"

// StreamScratch is Stream in DryRun's scratch mode (one Row reused).
func StreamScratch(ctx context.Context, p *Pipeline, e *Entity, fn func(Outcome) error) error {
	return p.stream(ctx, e, true, fn)
}
