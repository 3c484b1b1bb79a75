package sandbox

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
)

// Fault kinds.
const (
	FaultLatency       = "latency"            // delay the answer by Latency
	FaultDrop          = "drop"               // close the connection without answering
	Fault503           = "503"                // answer 503 Service Unavailable
	Fault502           = "502"                // answer 502 Bad Gateway (a proxy)
	FaultSerialization = "serialization"      // a serialization failure raised by the call
	FaultLoadRow       = "serialization-load" // a load answered ids false with a serialization row message
)

// Faults says which failures to inject, and when: on every Every-th call
// (counting from 1), or, when Rate > 0, at random with that probability
// from a generator seeded with Seed. Kinds are tried in turn.
type Faults struct {
	Kinds   []string
	Every   int
	Rate    float64
	Seed    int64
	Latency time.Duration
}

// ORM returns the part of f the ORM injects (serialization failures).
func (f Faults) ORM() orm.Faults {
	var kinds []string
	for _, k := range f.Kinds {
		if k == FaultSerialization || k == FaultLoadRow {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return orm.Faults{}
	}
	return orm.Faults{Every: f.Every, Rate: f.Rate, Seed: f.Seed, Kinds: kinds}
}

type injector struct {
	mu   sync.Mutex
	f    Faults
	n    int
	rnd  *rand.Rand
	next int
}

func newInjector(f Faults) *injector {
	i := &injector{}
	i.set(f)
	return i
}

func (i *injector) set(f Faults) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.f, i.n, i.next = f, 0, 0
	i.rnd = rand.New(rand.NewPCG(uint64(f.Seed), 0x5eed))
}

// pick decides whether this request gets an HTTP-level fault.
func (i *injector) pick() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	var kinds []string
	for _, k := range i.f.Kinds {
		if k != FaultSerialization && k != FaultLoadRow {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return ""
	}
	i.n++
	hit := (i.f.Every > 0 && i.n%i.f.Every == 0) || (i.f.Rate > 0 && i.rnd.Float64() < i.f.Rate)
	if !hit {
		return ""
	}
	k := kinds[i.next%len(kinds)]
	i.next++
	return k
}

func (i *injector) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch i.pick() {
		case FaultLatency:
			i.mu.Lock()
			d := i.f.Latency
			i.mu.Unlock()
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		case FaultDrop:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
		case Fault503:
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		case Fault502:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"))
			return
		}
		h.ServeHTTP(w, r)
	})
}
