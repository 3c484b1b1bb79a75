package orm

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

//go:embed data
var data embed.FS

// DB is an in-memory Odoo database. It is safe for concurrent use: calls
// run one at a time, each atomically.
type DB struct {
	mu      sync.Mutex
	version int
	models  map[string]*Model
	xmlids  map[string]xmlRef // "module.name" → record
	users   map[int64]*user
	faults  *faultState
	tx      *tx
	seq     map[string]int // posted move sequences per prefix and year
	lang    string         // the running call's context lang ("" = en_US), see translate.go
	// invitations are the signup emails Odoo would have sent.
	invitations []string
}

type xmlRef struct {
	model string
	id    int64
	data  int64 // id of the ir.model.data record
}

type user struct {
	uid           int64
	login, tz     string
	password, key string
	restricted    bool
}

// Open builds a database for Odoo major version 18 or 19 from the recorded
// schema of that version, with the models of a user's snapshot (nil =
// none) replacing the recorded ones, seeded with the reference records a
// fresh database holds.
func Open(version int, schema []byte) (*DB, error) {
	if version != 18 && version != 19 {
		return nil, fmt.Errorf("orm: no recorded Odoo %d", version)
	}
	recorded, err := embedded(version, "schema.json.gz")
	if err != nil {
		return nil, err
	}
	db := &DB{version: version, models: map[string]*Model{}, xmlids: map[string]xmlRef{}, users: map[int64]*user{},
		faults: &faultState{}, seq: map[string]int{}}
	if err := db.loadSchema(recorded); err != nil {
		return nil, err
	}
	if schema != nil { // a user's snapshot: its models (custom fields included) replace the recorded ones
		if err := db.loadSchema(schema); err != nil {
			return nil, err
		}
	}
	db.reconcileModels()
	ref, err := embedded(version, "reference-data.json.gz")
	if err != nil {
		return nil, err
	}
	if err := db.seed(ref); err != nil {
		return nil, err
	}
	return db, nil
}

func embedded(version int, name string) ([]byte, error) {
	b, err := data.ReadFile(fmt.Sprintf("data/odoo%d/%s", version, name))
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// Version is the Odoo major version the database behaves as.
func (db *DB) Version() int { return db.version }

func (db *DB) loadSchema(b []byte) error {
	var snap struct {
		Models map[string]map[string]map[string]any `json:"models"`
	}
	if err := json.Unmarshal(b, &snap); err != nil {
		return fmt.Errorf("orm: schema: %w", err)
	}
	if len(snap.Models) == 0 {
		return fmt.Errorf("orm: schema has no models")
	}
	for name, fields := range snap.Models {
		db.models[name] = newModel(name, fields)
	}
	if db.models["res.lang"] == nil { // languages are reference data the snapshot may lack
		db.models["res.lang"] = newModel("res.lang", map[string]map[string]any{
			"name": {"type": "char", "string": "Name", "store": true}, "code": {"type": "char", "string": "Locale Code", "store": true},
			"iso_code": {"type": "char", "string": "ISO code", "store": true}, "active": {"type": "boolean", "string": "Active", "store": true}})
	}
	for _, name := range []string{"ir.model.data", "res.users", "res.partner", "res.company"} {
		if db.models[name] == nil {
			return fmt.Errorf("orm: the schema lacks %s", name)
		}
	}
	return nil
}

// seed inserts the reference records with their external IDs, then the
// records every database has: the company's partner, the admin user.
func (db *DB) seed(b []byte) error {
	var ref struct {
		Models map[string][]map[string]any `json:"models"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		return fmt.Errorf("orm: reference data: %w", err)
	}
	names := make([]string, 0, len(ref.Models))
	for n := range ref.Models {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := db.models[n]
		if m == nil {
			continue
		}
		for _, r := range ref.Models[n] {
			db.seedRecord(m, r)
		}
	}
	partners := db.models["res.partner"]
	db.seedRecord(partners, map[string]any{"id": int64(1), "name": "My Company", "is_company": true, "xmlid": "base.main_partner", "active": true})
	db.seedRecord(partners, map[string]any{"id": int64(2), "name": "OdooBot", "xmlid": "base.partner_root", "active": true})
	db.seedRecord(partners, map[string]any{"id": int64(3), "name": "Administrator", "xmlid": "base.partner_admin", "active": true, "email": "admin@yourcompany.example.com"})
	users := db.models["res.users"]
	db.seedRecord(users, map[string]any{"id": int64(1), "login": "__system__", "name": "OdooBot", "partner_id": int64(2), "xmlid": "base.user_root", "active": false})
	db.seedRecord(users, map[string]any{"id": int64(2), "login": "admin", "name": "Administrator", "partner_id": int64(3), "xmlid": "base.user_admin", "active": true, "lang": "en_US"})
	db.users[2] = &user{uid: 2, login: "admin", password: "admin"}
	partners.next = max(partners.next, 4)
	db.seedMembers()
	for _, m := range db.models { // what Odoo's defaults filled in when these records were created
		for id := range m.recs {
			db.defaults(m, id, nil)
		}
	}
	return nil
}

// seedRecord stores a reference record as read from a recording: many2one
// values are [id, name] pairs, "xmlid" names its external ID.
func (db *DB) seedRecord(m *Model, r map[string]any) {
	id := toInt(r["id"])
	vals := map[string]any{}
	for k, v := range r {
		f := m.Fields[k]
		if f == nil || k == "id" {
			continue
		}
		vals[k] = f.fromRead(v)
	}
	m.put(id, vals)
	if x, _ := r["xmlid"].(string); x != "" {
		db.setXMLID(x, m.Name, id)
	}
}

// setXMLID records an external ID (an ir.model.data record).
func (db *DB) setXMLID(xmlid, model string, id int64) {
	module, name := splitXMLID(xmlid)
	full := module + "." + name
	imd := db.models["ir.model.data"]
	if old, ok := db.xmlids[full]; ok {
		db.touch(imd, old.data)
		imd.recs[old.data]["res_id"] = id
		imd.recs[old.data]["model"] = model
		db.xmlids[full] = xmlRef{model: model, id: id, data: old.data}
		return
	}
	did := imd.nextID()
	db.touch(imd, did)
	imd.put(did, map[string]any{"module": module, "name": name, "model": model, "res_id": id, "noupdate": false, "complete_name": full})
	db.txXMLID(full)
	db.xmlids[full] = xmlRef{model: model, id: id, data: did}
}

func splitXMLID(x string) (string, string) {
	if m, n, ok := strings.Cut(x, "."); ok {
		return m, n
	}
	return "__import__", x
}

// xmlidOf returns the first external ID of a record.
func (db *DB) xmlidOf(model string, id int64) string {
	best := ""
	for x, r := range db.xmlids {
		if r.model == model && r.id == id && (best == "" || x < best) {
			best = x
		}
	}
	return best
}

// dropXMLIDs removes the external IDs of deleted records (unlink does it).
func (db *DB) dropXMLIDs(model string, ids map[int64]bool) {
	imd := db.models["ir.model.data"]
	for x, r := range db.xmlids {
		if r.model == model && ids[r.id] {
			db.txXMLID(x)
			db.touch(imd, r.data)
			imd.remove(r.data)
			delete(db.xmlids, x)
		}
	}
}

// NewUser describes a user AddUser creates.
type NewUser struct {
	Login, Password, APIKey string
	// TZ is the user's time zone (load reads datetimes in it when the
	// context has none).
	TZ string
	// Restricted makes the user an internal user without administration
	// rights, as Odoo checks them (see access.go). Unrestricted users pass
	// every access check, like the admin.
	Restricted bool
}

// AddUser creates a user (a res.users record with its partner, in
// base.group_user, with a res.users.apikeys record when it has an API key)
// and returns its uid. Authentication is the protocol layer's.
func (db *DB) AddUser(u NewUser) (int64, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	partners, users := db.models["res.partner"], db.models["res.users"]
	pid := partners.nextID()
	partners.put(pid, map[string]any{"name": u.Login, "active": true})
	uid := users.nextID()
	vals := map[string]any{"login": u.Login, "name": u.Login, "partner_id": pid, "active": true, "lang": "en_US"}
	if u.TZ != "" {
		vals["tz"] = u.TZ
	}
	users.put(uid, vals)
	db.defaults(users, uid, nil)
	db.users[uid] = &user{uid: uid, login: u.Login, tz: u.TZ, password: u.Password, key: u.APIKey, restricted: u.Restricted}
	if u.APIKey != "" {
		db.addAPIKey(uid, apiKeyName)
	}
	return uid, nil
}

// apiKeyName is the description of the API keys the sandbox records.
const apiKeyName = "sandbox"

// AddAPIKey records that uid has an API key (a res.users.apikeys record
// named "sandbox", without scope or expiry, as Odoo lists a key made in
// Preferences); the key itself stays with the protocol layer.
func (db *DB) AddAPIKey(uid int64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.addAPIKey(uid, apiKeyName)
}

func (db *DB) addAPIKey(uid int64, name string) {
	keys := db.models["res.users.apikeys"]
	if keys == nil {
		return
	}
	keys.put(keys.nextID(), map[string]any{"name": name, "user_id": uid, "create_date": now()})
}

// userTZ is the time zone of uid ("" when unset).
func (db *DB) userTZ(uid int64) string {
	if r := db.models["res.users"].recs[uid]; r != nil {
		if s, ok := r["tz"].(string); ok {
			return s
		}
	}
	return ""
}

// RecordedSchema returns the fields_get snapshot of a real Odoo of that
// major version (18 or 19) the sandbox is built from.
func RecordedSchema(version int) ([]byte, error) { return embedded(version, "schema.json.gz") }
