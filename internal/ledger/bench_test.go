package ledger

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBatchProtocol writes batches of 200 new rows the way the loader
// does: marked sent (pending, with fingerprints), then committed (loaded,
// with Odoo ids and what was written). Reported per row.
func BenchmarkBatchProtocol(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	run, err := s.Begin(ctx, "bench", "digest", nil, false, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	const n = 200
	rows := make([]Row, n)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		batch := Batch{RunID: run.ID, Entity: "partners", Pass: 1, Seq: int64(i), Rows: n}
		for j := range rows {
			key := fmt.Sprintf("bench.partners_%d_%d", i, j)
			rows[j] = Row{Entity: "partners", Pass: 1, Key: key, ExternalID: key, SourceKey: fmt.Sprint(j),
				Fingerprint: "0123456789abcdef0123456789abcdef", State: Pending, RunID: run.ID, Batch: int64(i), Attempts: 1}
		}
		if err := s.MarkSent(ctx, batch, rows, nil); err != nil {
			b.Fatal(err)
		}
		for j := range rows {
			rows[j].State, rows[j].OdooID, rows[j].Created, rows[j].Attempts = Loaded, int64(i*n+j+1), true, 0
			rows[j].Written = `{"values":{"name":"Bench Partner","email":"p@bench.example"}}`
		}
		if err := s.Commit(ctx, batch, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/row")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*n), "CPU-µs/row")
}
