package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/plan"
)

// printAdmins says how many of the users the plan loaded hold Settings
// (administrator) rights, and who: groups are mapped explicitly, and
// giving someone administration by mistake is the error to catch.
func printAdmins(ctx context.Context, w io.Writer, c *odoo.Client, st *ledger.Store, p *plan.Plan) error {
	var ids []any
	for _, e := range p.Entities {
		if e.Model != "res.users" {
			continue
		}
		rows, err := st.Rows(ctx, e.Name, 1)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.OdooID != 0 && (r.State == ledger.Loaded || r.State == ledger.Unchanged) {
				ids = append(ids, r.OdooID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	admins, err := settingsUsers(ctx, c, ids)
	if err != nil {
		fmt.Fprintf(w, "users with administration rights: not checked (%v)\n", err)
		return nil
	}
	who := ""
	if len(admins) > 0 {
		who = ": " + strings.Join(admins, ", ")
	}
	fmt.Fprintf(w, "users with administration rights (Settings): %d of the %d users the plan loaded%s\n", len(admins), len(ids), who)
	return nil
}

// settingsUsers returns the logins of the users ids in base.group_system
// (implied groups included: all_group_ids on 19, groups_id before).
func settingsUsers(ctx context.Context, c *odoo.Client, ids []any) ([]string, error) {
	fields, err := c.FieldsGet(ctx, "res.users", []string{"type"})
	if err != nil {
		return nil, err
	}
	groups := "groups_id"
	if _, ok := fields["all_group_ids"]; ok {
		groups = "all_group_ids"
	}
	_, gid, err := c.Resolve(ctx, "base.group_system")
	if err != nil {
		return nil, err
	}
	recs, err := c.SearchRead(ctx, "res.users", odoo.Domain{[]any{"id", "in", ids}, []any{groups, "in", []any{gid}}}, []string{"login"}, odoo.Page{Order: "login"})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i], _ = r["login"].(string)
	}
	return out, nil
}
