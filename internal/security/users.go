package security

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// usersGroupsField is the res.users field that holds every group of a
// user, implied ones included: all_group_ids on 19, groups_id before.
func (a *targetAudit) usersGroupsField(ctx context.Context) (string, error) {
	fields, err := a.Client.FieldsGet(ctx, "res.users", []string{"type"})
	if err != nil {
		return "", err
	}
	for _, f := range []string{"all_group_ids", "groups_id", "group_ids"} {
		if _, ok := fields[f]; ok {
			return f, nil
		}
	}
	return "", fmt.Errorf("res.users has no groups field")
}

// usersIn returns the logins of the active internal users in the group
// with external ID xmlid.
func (a *targetAudit) usersIn(ctx context.Context, xmlid string) ([]string, error) {
	if a.groupsErr != nil {
		return nil, a.groupsErr
	}
	_, gid, err := a.Client.Resolve(ctx, xmlid)
	if err != nil {
		return nil, err
	}
	recs, err := a.Client.SearchRead(ctx, "res.users", odoo.Domain{[]any{a.groupsField, "in", []any{gid}}, []any{"share", "=", false}},
		[]string{"login"}, odoo.Page{Order: "id"})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i], _ = r["login"].(string)
	}
	return out, nil
}

func (a *targetAudit) isSettingsAdmin(ctx context.Context) (bool, error) {
	if a.groupsErr != nil {
		return false, a.groupsErr
	}
	_, gid, err := a.Client.Resolve(ctx, "base.group_system")
	if err != nil {
		return false, err
	}
	n, err := a.Client.SearchCount(ctx, "res.users", odoo.Domain{[]any{"id", "=", a.Client.UID()}, []any{a.groupsField, "in", []any{gid}}})
	return n > 0, err
}

// maxAdmins is how many Settings administrators pass without a finding.
const maxAdmins = 3

func (a *targetAudit) administrators(ctx context.Context) Finding {
	const id, check = "SEC105", "users with administration rights"
	settings, err := a.usersIn(ctx, "base.group_system")
	if err != nil {
		return unreadable(id, check, "read access to res.users and res.groups", err)
	}
	rights, err := a.usersIn(ctx, "base.group_erp_manager")
	if err != nil {
		return unreadable(id, check, "read access to res.users and res.groups", err)
	}
	ev := fmt.Sprintf("%d user(s) with Settings (%s), %d with Access Rights (%s)", len(settings), listed(settings), len(rights), listed(rights))
	if len(settings) > maxAdmins {
		return fail(id, check, Low, ev, fmt.Sprintf("keep Settings rights to at most %d named people; remove them from the others", maxAdmins))
	}
	return pass(id, check, ev)
}

func (a *targetAudit) twoFactor(ctx context.Context) Finding {
	const id, check = "SEC106", "two-factor authentication"
	fields, err := a.Client.FieldsGet(ctx, "res.users", []string{"type"})
	if err != nil {
		return unreadable(id, check, "read access to res.users", err)
	}
	if _, ok := fields["totp_enabled"]; !ok {
		return fail(id, check, Medium, "res.users has no totp_enabled: the auth_totp module is not installed",
			"install auth_totp (Two-Factor Authentication) and require it of every internal user")
	}
	// totp_enabled is computed and not searchable on 19 (a domain on it
	// matches nothing): read it and filter here.
	var without []string
	err = a.Client.Each(ctx, "res.users", odoo.Domain{[]any{"share", "=", false}}, []string{"login", "totp_enabled"}, 500, func(r map[string]any) error {
		if on, _ := r["totp_enabled"].(bool); !on {
			login, _ := r["login"].(string)
			without = append(without, login)
		}
		return nil
	})
	if err != nil {
		return unreadable(id, check, "read access to res.users", err)
	}
	if len(without) == 0 {
		return pass(id, check, "every active internal user has two-factor authentication")
	}
	admins, _ := a.usersIn(ctx, "base.group_system")
	sev := Medium
	if overlaps(without, admins) {
		sev = High
	}
	return fail(id, check, sev, fmt.Sprintf("%d internal user(s) without two-factor authentication (%s)", len(without), listed(without)),
		"ask each of them to enable it (Preferences → Account Security), administrators first")
}

func (a *targetAudit) apiKeys(ctx context.Context) Finding {
	const id, check = "SEC107", "API keys without expiry"
	fields, err := a.Client.FieldsGet(ctx, "res.users.apikeys", []string{"type"})
	if err != nil {
		return unreadable(id, check, "read access to res.users.apikeys", err)
	}
	if _, ok := fields["expiration_date"]; !ok {
		return fail(id, check, Low, "API keys of this version have no expiry date: a key lives until someone revokes it",
			"revoke the keys used for the migration once it is over (Preferences → Account Security)")
	}
	if a.adminErr != nil || !a.admin {
		return notChecked(id, check, needSettings, "a user sees only their own API keys")
	}
	recs, err := a.Client.SearchRead(ctx, "res.users.apikeys", odoo.Domain{[]any{"expiration_date", "=", false}}, []string{"name", "user_id"}, odoo.Page{Order: "id"})
	if err != nil {
		return unreadable(id, check, needSettings, err)
	}
	if len(recs) == 0 {
		return pass(id, check, "every API key has an expiry date")
	}
	owners := map[string]bool{}
	for _, r := range recs {
		if pair, ok := r["user_id"].([]any); ok && len(pair) == 2 {
			owners[fmt.Sprint(pair[1])] = true
		}
	}
	return fail(id, check, Medium, fmt.Sprintf("%d API key(s) never expire (owners: %s)", len(recs), listed(keys(owners))),
		"give API keys an expiry (Odoo 18+ asks for one) and revoke the migration's keys afterwards")
}

func (a *targetAudit) demoData(ctx context.Context) Finding {
	const id, check = "SEC108", "demo data installed"
	recs, err := a.Client.SearchRead(ctx, "ir.module.module", odoo.Domain{[]any{"state", "=", "installed"}, []any{"demo", "=", true}},
		[]string{"name"}, odoo.Page{Order: "name"})
	if err != nil {
		return unreadable(id, check, "read access to ir.module.module", err)
	}
	if len(recs) == 0 {
		return pass(id, check, "no installed module carries demo data")
	}
	names := make([]string, len(recs))
	for i, r := range recs {
		names[i], _ = r["name"].(string)
	}
	return fail(id, check, High, fmt.Sprintf("%d module(s) installed with demo data (%s): demo users with known passwords and fake records",
		len(names), listed(names)), "migrate into a database created without demo data")
}

func listed(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	if len(xs) > 10 {
		return strings.Join(xs[:10], ", ") + fmt.Sprintf(" and %d more", len(xs)-10)
	}
	return strings.Join(xs, ", ")
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
