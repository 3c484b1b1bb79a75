package orm

// tx is the undo log of one call: the first time a record (or an external
// ID) changes, its previous state is saved; rollback restores them.
type tx struct {
	recs map[string]map[int64]map[string]any // nil value: the record did not exist
	next map[string]int64
	xml  map[string]*xmlRef
	seq  map[string]int
	inv  int // invitations queued before the call
}

func (db *DB) begin() {
	seq := make(map[string]int, len(db.seq))
	for k, v := range db.seq {
		seq[k] = v
	}
	db.tx = &tx{recs: map[string]map[int64]map[string]any{}, next: map[string]int64{}, xml: map[string]*xmlRef{}, seq: seq, inv: len(db.invitations)}
}

// touch saves a record's state before its first change in the call.
func (db *DB) touch(m *Model, id int64) {
	t := db.tx
	if t == nil {
		return
	}
	saved := t.recs[m.Name]
	if saved == nil {
		saved = map[int64]map[string]any{}
		t.recs[m.Name] = saved
		t.next[m.Name] = m.next
	}
	if _, done := saved[id]; done {
		return
	}
	if rec, ok := m.recs[id]; ok {
		saved[id] = copyRec(rec)
	} else {
		saved[id] = nil
	}
}

func (db *DB) txXMLID(full string) {
	if db.tx == nil {
		return
	}
	if _, done := db.tx.xml[full]; done {
		return
	}
	if r, ok := db.xmlids[full]; ok {
		db.tx.xml[full] = &r
	} else {
		db.tx.xml[full] = nil
	}
}

func (db *DB) rollback() {
	t := db.tx
	if t == nil {
		return
	}
	for name, saved := range t.recs {
		m := db.models[name]
		for id, rec := range saved {
			if rec == nil {
				delete(m.recs, id)
			} else {
				m.recs[id] = rec
			}
		}
		m.next = t.next[name]
	}
	for x, r := range t.xml {
		if r == nil {
			delete(db.xmlids, x)
		} else {
			db.xmlids[x] = *r
		}
	}
	db.seq = t.seq
	db.invitations = db.invitations[:t.inv] // queued mail goes with the transaction
	db.tx = nil
}

func (db *DB) commit() { db.tx = nil }

func copyRec(rec map[string]any) map[string]any {
	out := make(map[string]any, len(rec))
	for k, v := range rec {
		if ids, ok := v.([]int64); ok {
			v = append([]int64(nil), ids...)
		}
		out[k] = v
	}
	return out
}
