package orm

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// open returns a database of that version with a restricted user (uid
// returned) and an unrestricted one, both with API keys.
func open(t *testing.T, version int) (*DB, int64) {
	t.Helper()
	db, err := Open(version, nil)
	require.NoError(t, err)
	db.AddAPIKey(2)
	clerk, err := db.AddUser(NewUser{Login: "clerk", Password: "pw", APIKey: "clerk-key", Restricted: true})
	require.NoError(t, err)
	_, err = db.AddUser(NewUser{Login: "tester", Password: "pw", APIKey: "tester-key"})
	require.NoError(t, err)
	return db, clerk
}

func call(db *DB, uid int64, model, method string, args ...any) (any, error) {
	return db.Execute(Call{UID: uid, Model: model, Method: method, Args: args, Kwargs: map[string]any{}, Context: map[string]any{}})
}

func ref(t *testing.T, db *DB, xmlid string) int64 {
	t.Helper()
	r, ok := db.xmlids[xmlid]
	require.True(t, ok, xmlid)
	return r.id
}

func TestRestrictedUserGainsAccessWithTheGroup(t *testing.T) {
	for _, v := range []int{18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			db, clerk := open(t, v)
			_, err := call(db, clerk, "ir.cron", "search_read", []any{})
			require.ErrorContains(t, err, "You are not allowed to access 'Scheduled Actions' (ir.cron) records.")
			_, err = call(db, clerk, "ir.model.data", "search_count", []any{})
			require.ErrorContains(t, err, "(ir.model.data)")
			ok, err := call(db, clerk, "ir.cron", "has_access", []any{}, "read")
			require.NoError(t, err)
			require.Equal(t, false, ok)
			_, err = call(db, 2, "res.users", "write", []any{clerk}, map[string]any{db.ownGroupsField(): []any{[]any{int64(4), ref(t, db, "base.group_system")}}})
			require.NoError(t, err)
			_, err = call(db, clerk, "ir.cron", "search_read", []any{})
			require.NoError(t, err, "Settings implies the right to read crons")
			_, err = call(db, clerk, "ir.model.data", "search_count", []any{})
			require.NoError(t, err, "Settings implies Access Rights")
		})
	}
}

func TestCheckAccessRightsRaisesUnlessAskedNotTo(t *testing.T) {
	db, clerk := open(t, 18)
	_, err := call(db, clerk, "ir.config_parameter", "check_access_rights", "write")
	require.ErrorContains(t, err, "You are not allowed to modify 'System Parameter' (ir.config_parameter) records.")
	ok, err := call(db, clerk, "ir.config_parameter", "check_access_rights", "read", false)
	require.NoError(t, err)
	require.Equal(t, false, ok)
	ok, err = call(db, 2, "ir.config_parameter", "check_access_rights", "write")
	require.NoError(t, err)
	require.Equal(t, None{}, ok, "allowed: check_access returns None")
	ok, err = call(db, 2, "ir.config_parameter", "check_access_rights", "write", false)
	require.NoError(t, err)
	require.Equal(t, true, ok)
}

func TestUsersAreInternalWithTheirAPIKeys(t *testing.T) {
	for _, v := range []int{18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			db, clerk := open(t, v)
			all := "groups_id"
			if v >= 19 {
				all = "all_group_ids"
			}
			for _, x := range []string{"base.group_user", "base.group_erp_manager", "base.group_system"} {
				n, err := call(db, 2, "res.users", "search_count", []any{[]any{all, "in", []any{ref(t, db, x)}}})
				require.NoError(t, err)
				want := int64(1) // the admin
				if x == "base.group_user" {
					want = 3
				}
				require.Equal(t, want, n, x)
			}
			keys, err := call(db, 2, "res.users.apikeys", "search_read", []any{}, []any{"name", "user_id", "scope", "expiration_date"})
			require.NoError(t, err)
			require.Len(t, keys, 3, "one per user with a key")
			for _, k := range keys.([]any) {
				r := k.(map[string]any)
				require.Equal(t, "sandbox", r["name"])
				require.Equal(t, false, r["scope"])
				require.Equal(t, false, r["expiration_date"])
			}
			mine, err := call(db, clerk, "res.users.apikeys", "search_read", []any{}, []any{"user_id"})
			require.NoError(t, err)
			require.Len(t, mine, 1)
			require.Equal(t, clerk, mine.([]any)[0].(map[string]any)["user_id"].([]any)[0])
		})
	}
}

func TestFreshDatabaseLooksUnneutralized(t *testing.T) {
	for _, v := range []int{18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			db, _ := open(t, v)
			count := func(model string, domain ...any) int64 {
				n, err := call(db, 2, model, "search_count", domain)
				require.NoError(t, err, model)
				return n.(int64)
			}
			require.Zero(t, count("ir.mail_server"))
			require.Zero(t, count("ir.config_parameter", []any{"key", "=", "database.is_neutralized"}))
			require.Positive(t, count("ir.cron", []any{"active", "=", true}))
			require.Zero(t, count("ir.module.module", []any{"demo", "=", true}))
			require.Equal(t, int64(6), count("ir.module.module", []any{"state", "=", "installed"},
				[]any{"name", "in", []any{"base", "web", "account", "stock", "contacts", "auth_totp"}}))
			require.Zero(t, count("res.users", []any{"totp_enabled", "=", true}))
		})
	}
}

func TestGroupsListTheirMembers(t *testing.T) {
	for _, v := range []int{18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			db, clerk := open(t, v)
			members := "users"
			if v >= 19 {
				members = "all_user_ids"
			}
			recs, err := call(db, 2, "res.groups", "read", []any{ref(t, db, "base.group_system"), ref(t, db, "base.group_user")}, []any{members, "display_name"})
			require.NoError(t, err)
			system, user := recs.([]any)[0].(map[string]any), recs.([]any)[1].(map[string]any)
			require.Equal(t, []any{int64(2)}, system[members])
			require.Contains(t, user[members], clerk)
			want := map[int]string{18: "Administration / Settings", 19: "Role / Administrator"}[v]
			require.Equal(t, want, system["display_name"])
		})
	}
}
