package load

import (
	"errors"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// DefaultCallTarget is how long one load call should take: well under the
// ~10 s a call may safely last (Odoo's limit_time_real defaults to 120 s,
// proxies often cut at 60 s, and a cut call has an unknown outcome).
const DefaultCallTarget = 5 * time.Second

// sizer adapts an entity pass's batch size to Odoo's answer times: after
// each call it aims the size at target from the time per record, moving
// half-way each time, never above the configured size (the ceiling) nor
// below 1. It starts at the ceiling when the size was configured, else at
// DefaultFirstBatch: one fast answer takes it to the default ceiling,
// while a first call of heavy records (invoices with many lines) stays
// short. It is shared by the pass's workers and its streaming goroutine.
type sizer struct {
	mu      sync.Mutex
	size    int
	ceiling int
	target  time.Duration
	least   int // the smallest size used, for the summary
}

func newSizer(ceiling, start int, target time.Duration) *sizer {
	if target <= 0 {
		target = DefaultCallTarget
	}
	start = min(max(start, 1), ceiling)
	return &sizer{size: start, ceiling: ceiling, target: target, least: start}
}

// Size is the size of the next batch.
func (s *sizer) Size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

// observe takes a call of records that took took.
func (s *sizer) observe(records int, took time.Duration) {
	if records <= 0 || took <= 0 {
		return
	}
	aim := int(float64(records) * float64(s.target) / float64(took))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set((s.size + aim) / 2)
}

// shrink follows a call of records that timed out: no batch of that
// many is sent again in this pass (the ceiling drops to half of it).
func (s *sizer) shrink(records int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ceiling = max(1, min(s.ceiling, records/2))
	s.set(s.size)
}

func (s *sizer) set(n int) {
	s.size = min(max(n, 1), s.ceiling)
	s.least = min(s.least, s.size)
}

// Least is the smallest size used so far.
func (s *sizer) Least() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.least
}

// timedOut says a call ended without a usable answer because it took too
// long (a timeout, or a proxy's 502/504): its outcome is unknown, and
// sending its records again in smaller batches is safe (external IDs).
func timedOut(err error) bool {
	var oe *odoo.Error
	if !errors.As(err, &oe) {
		return false
	}
	return (oe.Kind == odoo.KindTransport && oe.Sent) || (oe.Kind == odoo.KindUnavailable && (oe.Status == 502 || oe.Status == 504))
}
