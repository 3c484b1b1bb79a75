package orm

import "sort"

// Group membership as Odoo keeps it. A user's own groups are stored on
// res.users: groups_id on 18, group_ids on 19. A group implies others
// (implied_ids), and the implied groups count as the user's: 18 shows them
// in groups_id itself, 19 in the computed all_group_ids. The res.groups
// side (18 users; 19 user_ids and all_user_ids) and the implied closures
// (18 trans_implied_ids; 19 all_implied_ids, implied_by_ids,
// all_implied_by_ids) are computed from those, so they never disagree.

// ownGroupsField is the res.users field that stores a user's own groups.
func (db *DB) ownGroupsField() string {
	if db.version >= 19 {
		return "group_ids"
	}
	return "groups_id"
}

// groupMembersField is the res.groups field that lists a group's members
// in a recording (18 users, 19 user_ids: explicit members).
func (db *DB) groupMembersField() string {
	if db.version >= 19 {
		return "user_ids"
	}
	return "users"
}

// seedMembers moves the memberships recorded on res.groups to the users,
// where the sandbox stores them.
func (db *DB) seedMembers() {
	groups, users := db.models["res.groups"], db.models["res.users"]
	own, members := db.ownGroupsField(), db.groupMembersField()
	if groups == nil || users.Fields[own] == nil {
		return
	}
	for _, gid := range groups.ids() {
		list, _ := groups.recs[gid][members].([]int64)
		for _, uid := range list {
			if u := users.recs[uid]; u != nil {
				ids, _ := u[own].([]int64)
				u[own] = append(ids, gid)
			}
		}
		delete(groups.recs[gid], members)
	}
}

// defaultGroups puts a user created without groups in base.group_user, as
// Odoo's default user template does.
func (db *DB) defaultGroups(rec map[string]any) {
	own := db.ownGroupsField()
	if db.models["res.users"].Fields[own] == nil {
		return
	}
	if ids, _ := rec[own].([]int64); len(ids) > 0 {
		return
	}
	if r, ok := db.xmlids["base.group_user"]; ok {
		rec[own] = []int64{r.id}
	}
}

// implied returns ids and every group they imply, sorted.
func (db *DB) implied(ids []int64) []int64 {
	groups := db.models["res.groups"]
	if groups == nil {
		return nil
	}
	return reach(ids, func(id int64) []int64 {
		if r := groups.recs[id]; r != nil {
			next, _ := r["implied_ids"].([]int64)
			return next
		}
		return nil
	})
}

// reach returns the ids reachable from start through next, start
// included, sorted.
func reach(start []int64, next func(int64) []int64) []int64 {
	seen := map[int64]bool{}
	stack := append([]int64(nil), start...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !seen[id] {
			seen[id] = true
			stack = append(stack, next(id)...)
		}
	}
	return sortedIDs(seen)
}

func sortedIDs(set map[int64]bool) []int64 {
	out := make([]int64, 0, len(set))
	for id, in := range set {
		if in {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// allGroups is every group of user uid, implied ones included.
func (db *DB) allGroups(uid int64) []int64 {
	rec := db.models["res.users"].recs[uid]
	if rec == nil {
		return nil
	}
	own, _ := rec[db.ownGroupsField()].([]int64)
	return db.implied(own)
}

// inGroup reports whether user uid belongs to the group with external ID
// xmlid, directly or through an implying group.
func (db *DB) inGroup(uid int64, xmlid string) bool {
	r, ok := db.xmlids[xmlid]
	if !ok {
		return false
	}
	for _, gid := range db.allGroups(uid) {
		if gid == r.id {
			return true
		}
	}
	return false
}

// userGroups returns a user record with its computed group fields.
func (db *DB) userGroups(m *Model, id int64, rec map[string]any) map[string]any {
	field := "all_group_ids"
	if db.version < 19 {
		field = "groups_id"
	}
	if m.Fields[field] == nil {
		return rec
	}
	out := copyRec(rec)
	out[field] = db.allGroups(id)
	return out
}

// groupRelations returns a group record with its computed members and
// implications.
func (db *DB) groupRelations(m *Model, id int64, rec map[string]any) map[string]any {
	out := copyRec(rec)
	set := func(field string, ids []int64) {
		if m.Fields[field] != nil {
			out[field] = ids
		}
	}
	own, all := map[int64]bool{}, map[int64]bool{}
	users := db.models["res.users"]
	for _, uid := range users.ids() {
		if !active(users.recs[uid]) {
			continue
		}
		ids, _ := users.recs[uid][db.ownGroupsField()].([]int64)
		own[uid] = contains(ids, id)
		all[uid] = contains(db.allGroups(uid), id)
	}
	closure := db.implied([]int64{id})
	by, impliedBy := map[int64]bool{}, map[int64][]int64{}
	for _, gid := range m.ids() {
		next, _ := m.recs[gid]["implied_ids"].([]int64)
		for _, x := range next {
			impliedBy[x] = append(impliedBy[x], gid)
		}
		by[gid] = contains(next, id)
	}
	allBy := reach([]int64{id}, func(x int64) []int64 { return impliedBy[x] })
	if db.version >= 19 {
		set("user_ids", sortedIDs(own))
		set("all_user_ids", sortedIDs(all))
		set("all_implied_ids", closure)
		set("implied_by_ids", sortedIDs(by))
		set("all_implied_by_ids", allBy)
		return out
	}
	set("users", sortedIDs(all))
	set("trans_implied_ids", without(closure, id))
	return out
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
