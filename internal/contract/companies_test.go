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
