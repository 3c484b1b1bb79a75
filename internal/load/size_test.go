package load

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSizerAimsAtTheTargetWithinItsBounds(t *testing.T) {
	s := newSizer(200, 200, time.Second)
	s.observe(200, 4*time.Second) // 20 ms per record: 50 fit in a second
	require.Equal(t, 125, s.Size(), "half-way from 200 to 50")
	for range 10 {
		s.observe(s.Size(), time.Duration(s.Size())*20*time.Millisecond)
	}
	require.InDelta(t, 50, s.Size(), 1)
	for range 20 {
		s.observe(s.Size(), time.Duration(s.Size())*time.Millisecond) // fast again
	}
	require.Equal(t, 200, s.Size(), "never above the configured size")
	s.shrink(200)
	require.Equal(t, 100, s.Size())
	s.observe(100, time.Millisecond)
	require.Equal(t, 100, s.Size(), "a size that timed out is not tried again")
	for range 10 {
		s.shrink(s.Size())
	}
	require.Equal(t, 1, s.Size())
	require.Equal(t, 1, s.Least())
}

// Without a configured size, a pass starts small and one fast answer
// takes it to the default; a slow first answer keeps it small.
func TestSizerStartsSmallWhenNothingIsConfigured(t *testing.T) {
	s := newSizer(DefaultBatchSize, DefaultFirstBatch, 5*time.Second)
	require.Equal(t, DefaultFirstBatch, s.Size())
	s.observe(DefaultFirstBatch, 200*time.Millisecond)
	require.Equal(t, DefaultBatchSize, s.Size())
	heavy := newSizer(DefaultBatchSize, DefaultFirstBatch, 5*time.Second)
	heavy.observe(DefaultFirstBatch, 16*time.Second) // 80 ms a record: 62 fit
	require.Equal(t, 131, heavy.Size(), "half-way from 200 to 62")
}

// manyCustomers writes a customers file of n rows and a plan of that one
// entity with the given batch size.
func manyCustomers(t *testing.T, f *fixture, n, batch int) {
	var b strings.Builder
	b.WriteString("id,name,email,parent,status\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,Customer %d,c%d@x.test,,open\n", i, i, i)
	}
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "customers.csv"), []byte(b.String()), 0o600))
	plan := strings.Replace(testPlan, "load: {batch_size: 3}", fmt.Sprintf("load: {batch_size: %d}", batch), 1)
	plan = plan[:strings.Index(plan, "  - name: invoices")]
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "plan.yaml"), []byte(plan), 0o600))
}

// Slow answers make the batches smaller; every row still loads once.
func TestBatchesShrinkWhenOdooAnswersSlowly(t *testing.T) {
	f := newFixture(t)
	manyCustomers(t, f, 120, 40)
	target := newFake()
	target.perRecord = 2 * time.Millisecond // 40 records: 80 ms
	s, err := f.run(t, target, Options{CallTarget: 20 * time.Millisecond})
	require.NoError(t, err)
	e := s.Entities[0]
	require.Equal(t, int64(120), e.Loaded)
	require.Less(t, e.SmallestBatch, 20, "sizes: %v", target.sizes)
	require.Equal(t, 40, target.sizes[0], "the first batch has the configured size")
	require.Less(t, target.sizes[len(target.sizes)-1], 20, "sizes: %v", target.sizes)
	require.Len(t, target.state(), 120)
}

// A call cut off by a timeout has an unknown outcome: its records are
// sent again in halves, which external IDs make safe; nothing is lost or
// doubled, and the size stays down.
func TestTimedOutBatchesAreSplitAndSentAgain(t *testing.T) {
	f := newFixture(t)
	manyCustomers(t, f, 64, 32)
	target := newFake()
	target.timeoutAbove = 10
	s, err := f.run(t, target, Options{})
	require.NoError(t, err)
	require.Equal(t, int64(64), s.Entities[0].Loaded)
	require.Len(t, target.state(), 64, "each record once")
	require.LessOrEqual(t, s.Entities[0].BatchSize, 10)
}
