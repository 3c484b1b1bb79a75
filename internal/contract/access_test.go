package contract

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// What a security audit reads, as an administrator and as an internal
// user without administration rights, checked on the sandbox and on a real
// Odoo alike. On a real Odoo the administrator comes from
// FERRY_TEST_ODOO_ADMIN_LOGIN and _ADMIN_PASSWORD or _ADMIN_API_KEY, the
// restricted user from FERRY_TEST_ODOO_RESTRICTED_LOGIN and
// _RESTRICTED_PASSWORD or _RESTRICTED_API_KEY.

// as runs fn against every target, logged in as the role cfg picks.
func as(t *testing.T, role string, pick func(target) odoo.Config, fn func(t *testing.T, tg target, c *odoo.Client)) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			cfg := pick(tg)
			if cfg.Login == "" {
				t.Skipf("no %s user: set FERRY_TEST_ODOO_%s_LOGIN and _PASSWORD or _API_KEY", role, role)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			c, err := odoo.Dial(ctx, cfg)
			require.NoError(t, err)
			c.SetBackoff(time.Millisecond)
			fn(t, tg, c)
		})
	}
}

func adminOf(tg target) odoo.Config      { return tg.admin }
func restrictedOf(tg target) odoo.Config { return tg.restricted }

func TestAdminReadsTheActiveCrons(t *testing.T) {
	as(t, "ADMIN", adminOf, func(t *testing.T, tg target, c *odoo.Client) {
		crons, err := c.SearchRead(ctx(t), "ir.cron", odoo.Domain{[]any{"active", "=", true}}, []string{"name", "active", "interval_type"}, odoo.Page{Order: "id"})
		require.NoError(t, err)
		require.NotEmpty(t, crons, "a fresh database has active scheduled actions")
		for _, r := range crons {
			require.Equal(t, true, r["active"])
			require.NotEmpty(t, r["name"])
		}
	})
}

// groupFields are the res.users fields holding a user's groups: 18 has
// groups_id (implied groups included), 19 group_ids (own groups) and
// all_group_ids (implied ones included).
func groupFields(major int) (own, all string) {
	if major >= 19 {
		return "group_ids", "all_group_ids"
	}
	return "groups_id", "groups_id"
}

func TestAdminIsInSettingsByTheVersionsGroupsField(t *testing.T) {
	as(t, "ADMIN", adminOf, func(t *testing.T, tg target, c *odoo.Client) {
		own, all := groupFields(c.Version().Major)
		fields, err := c.FieldsGet(ctx(t), "res.users", []string{"type", "relation"})
		require.NoError(t, err)
		require.Equal(t, "res.groups", fields[own]["relation"])
		require.Equal(t, "res.groups", fields[all]["relation"])
		if c.Version().Major >= 19 {
			require.NotContains(t, fields, "groups_id", "19 renamed groups_id")
		} else {
			require.NotContains(t, fields, "group_ids", "18 has no group_ids yet")
		}
		_, system, err := c.Resolve(ctx(t), "base.group_system")
		require.NoError(t, err)
		for _, f := range []string{own, all} {
			n, err := c.SearchCount(ctx(t), "res.users", odoo.Domain{[]any{"id", "=", c.UID()}, []any{f, "in", []any{system}}})
			require.NoError(t, err)
			require.Equal(t, int64(1), n, "the admin is found in Settings by %s", f)
		}
		for _, x := range []string{"base.group_erp_manager", "base.group_user"} {
			_, gid, err := c.Resolve(ctx(t), x)
			require.NoError(t, err)
			n, err := c.SearchCount(ctx(t), "res.users", odoo.Domain{[]any{"id", "=", c.UID()}, []any{all, "in", []any{gid}}})
			require.NoError(t, err)
			require.Equal(t, int64(1), n, "Settings implies %s", x)
		}
		members := "users"
		if c.Version().Major >= 19 {
			members = "all_user_ids"
		}
		groups, err := c.Read(ctx(t), "res.groups", []int64{system}, []string{members})
		require.NoError(t, err)
		require.Contains(t, groups[0][members], c.UID(), "res.groups.%s lists the admin", members)
	})
}

// settingsGroup is how access errors name the group a model needs.
func settingsGroup(major int, model string) string {
	switch {
	case model == "ir.model.data" && major >= 19:
		return "Access Rights"
	case model == "ir.model.data":
		return "Administration/Access Rights"
	case major >= 19:
		return "Role / Administrator"
	}
	return "Administration/Settings"
}

func TestRestrictedUserIsRefusedTheSettingsModels(t *testing.T) {
	as(t, "RESTRICTED", restrictedOf, func(t *testing.T, tg target, c *odoo.Client) {
		labels := map[string]string{"ir.cron": "Scheduled Actions", "ir.config_parameter": "System Parameter",
			"ir.mail_server": "Mail Server", "ir.model.data": "Model Data"}
		for _, model := range []string{"ir.cron", "ir.config_parameter", "ir.mail_server", "ir.model.data"} {
			want := fmt.Sprintf("You are not allowed to access '%s' (%s) records.\n\nThis operation is allowed for the following groups:\n\t- %s\n\nContact your administrator to request access if necessary.",
				labels[model], model, settingsGroup(c.Version().Major, model))
			calls := map[string]func() error{
				"search_read": func() error {
					_, err := c.SearchRead(ctx(t), model, nil, []string{"id"}, odoo.Page{Limit: 1})
					return err
				},
				"search_count": func() error { _, err := c.SearchCount(ctx(t), model, nil); return err },
				"read":         func() error { _, err := c.Read(ctx(t), model, []int64{1}, []string{"id"}); return err },
			}
			for method, call := range calls {
				err := call()
				var e *odoo.Error
				require.ErrorAs(t, err, &e, "%s.%s", model, method)
				require.Equal(t, odoo.KindAccess, e.Kind, "%s.%s: %v", model, method, err)
				require.Equal(t, "odoo.exceptions.AccessError", e.Class, "%s.%s", model, method)
				require.Equal(t, want, e.Message, "%s.%s", model, method)
			}
		}
		ok, err := c.CheckAccessRights(ctx(t), "ir.cron", "read")
		require.NoError(t, err)
		require.False(t, ok, "check_access_rights answers no")
		_, system, err := c.Resolve(ctx(t), "base.group_system")
		require.NoError(t, err, "check_object_reference stays allowed")
		if c.Transport() != odoo.XMLRPC { // over XML-RPC the client reads ir.model.data instead
			x, err := c.ExternalIDs(ctx(t), "res.groups", []int64{system})
			require.NoError(t, err, "get_external_id stays allowed")
			require.Equal(t, "base.group_system", x[system])
		}
	})
}

func TestRestrictedUserSeesOnlyItsOwnAPIKeys(t *testing.T) {
	as(t, "RESTRICTED", restrictedOf, func(t *testing.T, tg target, c *odoo.Client) {
		keys, err := c.SearchRead(ctx(t), "res.users.apikeys", nil, []string{"name", "user_id", "scope", "expiration_date"}, odoo.Page{Order: "id"})
		require.NoError(t, err, "a record rule filters the keys, it does not refuse the search")
		if !tg.restricted.APIKey.IsZero() {
			require.NotEmpty(t, keys, "the user's own key is listed")
		}
		mine := map[int64]bool{}
		for _, k := range keys {
			require.Equal(t, c.UID(), k["user_id"].([]any)[0], "only the user's own keys")
			mine[k["id"].(int64)] = true
		}
		n, err := c.SearchCount(ctx(t), "res.users.apikeys", nil)
		require.NoError(t, err)
		require.Equal(t, int64(len(keys)), n)
		if tg.admin.Login == "" {
			return
		}
		admin, err := odoo.Dial(ctx(t), tg.admin)
		require.NoError(t, err)
		all, err := admin.SearchRead(ctx(t), "res.users.apikeys", nil, []string{"user_id"}, odoo.Page{Order: "id"})
		require.NoError(t, err)
		var others []int64
		for _, k := range all {
			if id := k["id"].(int64); !mine[id] {
				others = append(others, id)
			}
		}
		require.Len(t, others, len(all)-len(keys), "the admin sees every key the user sees")
		require.NotEmpty(t, others, "the admin has a key of its own")
		_, err = c.Read(ctx(t), "res.users.apikeys", others[:1], []string{"name"})
		var e *odoo.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, odoo.KindAccess, e.Kind, "%v", err)
		require.Contains(t, e.Message, fmt.Sprintf("(id=%d) doesn't have 'read' access to:\n- Users API Keys (res.users.apikeys)", c.UID()))
	})
}

// check_access_rights with raise_exception left true answers nothing when
// the user may (Odoo 18 and 19 run check_access, which returns None: no
// "result" over JSON-RPC, null over JSON-2, the None fault over XML-RPC),
// and whether the user may with raise_exception false (checked on real
// Odoo 18 and 19).
func TestCheckAccessRightsAnswersNothingWhenAllowed(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		v, err := c.Execute(ctx(t), "res.partner", "check_access_rights", []any{"read"}, nil)
		require.NoError(t, err)
		require.Equal(t, odoo.NoValue{}, v)
		v, err = c.Execute(ctx(t), "res.partner", "check_access_rights", []any{"read"}, map[string]any{"raise_exception": false})
		require.NoError(t, err)
		require.Equal(t, true, v)
	})
}
