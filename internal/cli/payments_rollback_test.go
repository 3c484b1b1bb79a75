package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// A run killed after posting the payments and before reconciling them
// (here: the plan gains reconcile: after a run without it) is finished by
// the next run; rolling that run back takes the reconciliations away and
// leaves the payments, and rolling the first back deletes the payments.
func TestReconciliationIsFinishedByALaterRunAndRolledBack(t *testing.T) {
	files := map[string]string{}
	for k, v := range historyFiles {
		files[k] = v
	}
	files["payments.csv"] = "no,side,partner,date,amount,invoice\nPAY-1,customer,P1,2023-03-20,1000.00,INV-1\nPAY-2,customer,P2,2023-04-20,110.00,INV-2\n" +
		"PAY-3,supplier,S1,2023-03-30,455.25,BILL-1\n"
	plan, _, c := sandboxPlan(t, "later", files, fmt.Sprintf(historyPlan, ""))
	code, out, errs := run(t, "run", "--json", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	first := runID(t, out)
	ctx := context.Background()
	state := func(key string) (string, float64) {
		t.Helper()
		_, id, err := c.Resolve(ctx, "legacy_later.invoices_"+key)
		require.NoError(t, err)
		recs, err := c.Read(ctx, "account.move", []int64{id}, []string{"payment_state", "amount_residual"})
		require.NoError(t, err)
		return recs[0]["payment_state"].(string), recs[0]["amount_residual"].(float64)
	}
	s, res := state("INV--2")
	require.Equal(t, "not_paid", s, "posted, not reconciled")
	require.Equal(t, 310.0, res)

	b, err := os.ReadFile(plan)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(plan, []byte(string(b)[:len(string(b))-len(fmt.Sprintf(historyPlan, ""))]+fmt.Sprintf(historyPlan, reconcileWith)), 0o644))
	code, out, errs = run(t, "run", "--json", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	second := runID(t, out)
	require.Contains(t, out, `"reconcile": {`)
	require.Contains(t, out, `"done": 3`)
	s, res = state("INV--2")
	require.Equal(t, "partial", s)
	require.Equal(t, 200.0, res)

	code, out, errs = run(t, "rollback", plan, "--run", second)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	s, res = state("INV--2")
	require.Equal(t, "not_paid", s, "the reconciliation is undone")
	require.Equal(t, 310.0, res)
	_, pay, err := c.Resolve(ctx, "legacy_later.payments_PAY--2")
	require.NoError(t, err)
	pays, err := c.Read(ctx, "account.payment", []int64{pay}, []string{"state"})
	require.NoError(t, err)
	require.Equal(t, "in_process", pays[0]["state"], "the payment the first run loaded stays")

	code, out, errs = run(t, "rollback", plan, "--run", first)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	n, err := c.SearchCount(ctx, "account.payment", nil)
	require.NoError(t, err)
	require.Zero(t, n, "the payments are deleted")
	n, err = c.SearchCount(ctx, "account.move", nil)
	require.NoError(t, err)
	require.Zero(t, n, "the invoices and the payments' entries are deleted")
}

// runID reads the run's ID from its --json summary.
func runID(t *testing.T, out string) string {
	t.Helper()
	var s struct {
		RunID string `json:"run_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &s), out)
	require.NotEmpty(t, s.RunID)
	return s.RunID
}

// Rolling back the run that loaded, posted and reconciled the payments
// deletes the reconciliations first (Odoo 19's action_draft keeps them,
// 18's removes them), then the payments and the invoices.
func TestRollbackOfAFullHistoryRun(t *testing.T) {
	for _, v := range []int{18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			plan, _, c := sandboxPlanAt(t, v, "undo", historyFiles, fmt.Sprintf(historyPlan, reconcileWith))
			code, out, errs := run(t, "run", "--json", plan)
			require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
			id := runID(t, out)
			ctx := context.Background()
			n, err := c.SearchCount(ctx, "account.partial.reconcile", nil)
			require.NoError(t, err)
			require.Equal(t, int64(3), n)

			code, out, errs = run(t, "rollback", plan, "--run", id)
			require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
			require.Contains(t, out, "3 unreconciled")
			for model, want := range map[string]int64{"account.partial.reconcile": 0, "account.payment": 0, "account.move": 0, "account.move.line": 0} {
				n, err := c.SearchCount(ctx, model, nil)
				require.NoError(t, err)
				require.Equal(t, want, n, model)
			}
		})
	}
}
