package contract

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// branchJournal finds or makes a company "Ferry Contract Branch" with a
// miscellaneous journal (code FCB) and returns their ids; a real database
// keeps them between runs.
func branchJournal(t *testing.T, c *odoo.Client) (company, journal int64) {
	t.Helper()
	both := map[string]any{"allowed_company_ids": []any{int64(1)}}
	found, err := c.SearchRead(ctx(t), "res.company", odoo.Domain{[]any{"name", "=", "Ferry Contract Branch"}}, []string{"id"}, odoo.Page{})
	require.NoError(t, err)
	if len(found) > 0 {
		company = asID(t, found[0]["id"])
	} else {
		ids, err := c.Create(ctx(t), "res.company", []map[string]any{{"name": "Ferry Contract Branch", "currency_id": 1}})
		require.NoError(t, err)
		company = ids[0]
	}
	both["allowed_company_ids"] = []any{company, int64(1)}
	res, err := c.Execute(ctx(t), "account.journal", "search_read", []any{[]any{[]any{"code", "=", "FCB"}, []any{"company_id", "=", company}}},
		map[string]any{"fields": []any{"id"}, "context": both})
	require.NoError(t, err)
	if rows, _ := res.([]any); len(rows) > 0 {
		return company, asID(t, rows[0].(map[string]any)["id"])
	}
	res, err = c.Execute(ctx(t), "account.journal", "create", []any{map[string]any{"name": "Branch Misc", "code": "FCB", "type": "general", "company_id": company}},
		map[string]any{"context": both})
	require.NoError(t, err)
	return company, asID(t, res)
}

// asID reads an id from an Execute answer: a number, or a one-id list
// (JSON-2's create answers a list).
func asID(t *testing.T, v any) int64 {
	t.Helper()
	if l, ok := v.([]any); ok && len(l) == 1 {
		v = l[0]
	}
	id, ok := v.(int64)
	require.True(t, ok, "an id, not %T %v", v, v)
	return id
}

// An entry loaded with a journal of another of the user's companies goes
// into the journal's company, without an error or a warning (checked on
// real Odoo 18 and 19): Odoo does not refuse it, which is why validation
// makes a reference to another company's journal a finding (VAL323).
func TestMoveGoesIntoItsJournalsCompany(t *testing.T) {
	as(t, "ADMIN", adminOf, func(t *testing.T, tg target, c *odoo.Client) {
		company, journal := branchJournal(t, c)
		require.NotEqual(t, int64(1), company)
		x := "ferry_contract." + tag(t)
		res, err := c.Load(ctx(t), "account.move", []string{"id", "move_type", "date", "journal_id/.id"},
			[][]string{{x, "entry", "2024-01-15", strconv.FormatInt(journal, 10)}}, nil)
		require.NoError(t, err)
		require.False(t, res.RolledBack, "%+v", res.Messages)
		require.Empty(t, res.Messages)
		t.Cleanup(func() { _, _ = c.Execute(ctx(t), "account.move", "unlink", []any{res.IDs}, nil) })
		got, err := c.Read(ctx(t), "account.move", res.IDs, []string{"company_id", "journal_id"})
		require.NoError(t, err)
		require.Equal(t, company, firstID(got[0]["company_id"]))
		require.Equal(t, journal, firstID(got[0]["journal_id"]))
	})
}

// companiesRefused is Odoo's AccessError for allowed_company_ids naming a
// company that is not one of the user's, or none at all.
const companiesRefused = "Access to unauthorized or invalid companies."

func requireCompaniesRefused(t *testing.T, err error, what string) {
	t.Helper()
	var e *odoo.Error
	require.ErrorAs(t, err, &e, what)
	require.Equal(t, odoo.KindAccess, e.Kind, "%s: %v", what, err)
	require.Equal(t, companiesRefused, e.Message, what)
}

// requireLoadRefusedPerRecord checks a load whose companies were refused:
// rolled back, one message per record (checked on real Odoo 18 and 19).
func requireLoadRefusedPerRecord(t *testing.T, res *odoo.LoadResult, records int) {
	t.Helper()
	require.True(t, res.RolledBack)
	require.Len(t, res.Messages, records)
	for i, m := range res.Messages {
		require.Equal(t, odoo.LoadMessage{Type: "error", Message: companiesRefused, Record: i, From: i, To: i}, m)
	}
}

// A call's allowed_company_ids must name companies of its user (checked on
// real Odoo 18 and 19). Odoo checks them when the call first needs the
// current companies: fields_get never does, a search only on a model with
// multi-company record rules (res.partner, not product.category), a create
// always; load refuses each record with a message, but on 18 the load of
// contacts raises the error itself.
func TestCallsRefuseCompaniesThatAreNotTheUsers(t *testing.T) {
	as(t, "ADMIN", adminOf, func(t *testing.T, tg target, c *odoo.Client) {
		c.SetContext("allowed_company_ids", []any{int64(1), int64(999999)})
		_, err := c.SearchCount(ctx(t), "res.partner", nil)
		requireCompaniesRefused(t, err, "search_count res.partner")
		_, err = c.Create(ctx(t), "product.category", []map[string]any{{"name": "Never created"}})
		requireCompaniesRefused(t, err, "create product.category")
		n, err := c.SearchCount(ctx(t), "product.category", nil)
		require.NoError(t, err, "product.category has no multi-company rule")
		require.Positive(t, n)
		_, err = c.FieldsGet(ctx(t), "res.partner", []string{"type"})
		require.NoError(t, err)

		x := "ferry_contract." + tag(t)
		res, err := c.Load(ctx(t), "product.category", []string{"id", "name"}, [][]string{{x + "_a", "A"}, {x + "_b", "B"}}, nil)
		require.NoError(t, err)
		requireLoadRefusedPerRecord(t, res, 2)
		res, err = c.Load(ctx(t), "res.partner", []string{"id", "name"}, [][]string{{x + "_p", "P"}}, nil)
		if c.Version().Major < 19 {
			requireCompaniesRefused(t, err, "load res.partner on 18")
			return
		}
		require.NoError(t, err)
		requireLoadRefusedPerRecord(t, res, 1)
	})
}

// A company an administrator created is theirs, not every user's: a user
// who is not in it may not work in it (checked on real Odoo 18 and 19).
func TestRestrictedUserMayNotWorkInAnotherCompany(t *testing.T) {
	as(t, "RESTRICTED", restrictedOf, func(t *testing.T, tg target, c *odoo.Client) {
		if tg.admin.Login == "" {
			t.Skip("no administrator to make the company")
		}
		admin, err := odoo.Dial(ctx(t), tg.admin)
		require.NoError(t, err)
		company, _ := branchJournal(t, admin)
		admin.SetContext("allowed_company_ids", []any{company, int64(1)})
		_, err = admin.SearchCount(ctx(t), "res.partner", nil)
		require.NoError(t, err, "the administrator who made it works in it")

		n, err := c.SearchCount(ctx(t), "res.partner", nil)
		require.NoError(t, err)
		c.SetContext("allowed_company_ids", []any{int64(1)})
		m, err := c.SearchCount(ctx(t), "res.partner", nil)
		require.NoError(t, err, "the user's own company")
		require.Equal(t, n, m)
		c.SetContext("allowed_company_ids", []any{company})
		_, err = c.SearchCount(ctx(t), "res.partner", nil)
		requireCompaniesRefused(t, err, "search_count res.partner in another company")
	})
}

// A company loaded with load is its loader's: the administrator may work
// in it at once (Odoo's res.company create links it to the user who
// creates it; checked on real Odoo 18 and 19). The external ID is fixed,
// so a real database keeps one such company.
func TestLoadedCompanyIsItsLoaders(t *testing.T) {
	as(t, "ADMIN", adminOf, func(t *testing.T, tg target, c *odoo.Client) {
		res, err := c.Load(ctx(t), "res.company", []string{"id", "name"}, [][]string{{"ferry_contract.loaded_company", "Ferry Contract Loaded Company"}}, nil)
		require.NoError(t, err)
		require.False(t, res.RolledBack, "%+v", res.Messages)
		c.SetContext("allowed_company_ids", []any{res.IDs[0]})
		_, err = c.SearchCount(ctx(t), "res.partner", nil)
		require.NoError(t, err)
	})
}
