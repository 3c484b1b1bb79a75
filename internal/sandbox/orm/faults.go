package orm

import (
	"math/rand/v2"
	"sync"
)

// Faults makes write calls fail the way a busy PostgreSQL makes Odoo fail:
// on every Every-th write call (counting from 1), or at random with
// probability Rate from a generator seeded with Seed. Kinds:
// "serialization" raises psycopg2's SerializationFailure;
// "serialization-load" answers a load with ids false and the failure as a
// row message (HTTP 200), as Odoo does for concurrent loads.
type Faults struct {
	Every int
	Rate  float64
	Seed  int64
	Kinds []string
}

type faultState struct {
	mu  sync.Mutex
	f   Faults
	n   int
	rnd *rand.Rand
}

// SetFaults replaces the injected faults.
func (db *DB) SetFaults(f Faults) {
	db.faults.mu.Lock()
	defer db.faults.mu.Unlock()
	db.faults.f, db.faults.n = f, 0
	db.faults.rnd = rand.New(rand.NewPCG(uint64(f.Seed), 0xfa17))
}

var writeMethods = map[string]bool{"create": true, "write": true, "unlink": true, "load": true}

// fault returns the fault kind to inject into this call, or "".
func (db *DB) fault(method string) string {
	s := db.faults
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.f.Kinds) == 0 || !writeMethods[method] {
		return ""
	}
	s.n++
	if !((s.f.Every > 0 && s.n%s.f.Every == 0) || (s.f.Rate > 0 && s.rnd.Float64() < s.f.Rate)) {
		return ""
	}
	for _, k := range s.f.Kinds {
		if k == "serialization-load" && method == "load" {
			return k
		}
	}
	for _, k := range s.f.Kinds {
		if k == "serialization" {
			return k
		}
	}
	return ""
}

const serializationMsg = "could not serialize access due to concurrent update\n"
