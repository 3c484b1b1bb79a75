package pipeline

// SpilledIndexes reports how many key indexes of p moved to disk.
func SpilledIndexes(p *Pipeline) int { return p.budget.spilled }
