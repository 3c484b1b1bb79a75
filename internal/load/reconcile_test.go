package load_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/load"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
)

const rcPlan = `version: 1
name: rc
namespace: rc_test
target: {database: sandbox, login: admin}
sources:
  legacy: {kind: csv, path: .}
entities:
  - name: partners
    model: res.partner
    from: {source: legacy, file: partners.csv}
    key: no
    fields:
      name: row.name
      is_company: "true"
  - name: invoices
    model: account.move
    from: {source: legacy, file: invoices.csv}
    key: no
    allow_readonly: [move_type]
    after_load: action_post
    fields:
      move_type: '"out_invoice"'
      partner_id: ref("partners", row.partner)
      invoice_date: row.date
    lines:
      - field: invoice_line_ids
        from: {source: legacy, file: invoices.csv}
        join: no
        line_key: no
        fields:
          name: row.no
          price_unit: parse_number(row.total)
  - name: payments
    model: account.payment
    from: {source: legacy, file: payments.csv}
    key: no
    after_load: action_post
    fields:
      payment_type: '"inbound"'
      partner_type: '"customer"'
      partner_id: ref("partners", row.partner)
      amount: parse_number(row.amount)
      date: row.date
      memo: row.invoice
    reconcile: {with: 'ref("invoices", row.invoice)'}
`

var rcFiles = map[string]string{
	"partners.csv": "no,name\nP1,Alpen AG\nP2,Nordlicht SAS\n",
	"invoices.csv": "no,partner,date,total\nINV-1,P1,2023-03-01,1000\nINV-2,P2,2023-03-02,500\n",
	// two payments of INV-1 (the first partial), one of INV-2
	"payments.csv": "no,partner,date,amount,invoice\nPAY-1,P1,2023-03-10,400,INV-1\nPAY-2,P1,2023-03-20,600,INV-1\nPAY-3,P2,2023-03-15,500,INV-2\n",
}

// rcTarget counts reconcile calls per first line and, for the first
// failFirst calls, fails like a server that went away — after doing the
// call when lost is set (the answer was lost), before it otherwise.
type rcTarget struct {
	*odoo.Client
	mu        sync.Mutex
	calls     int
	failFirst int
	lost      bool
}

func (t *rcTarget) Execute(ctx context.Context, model, method string, args []any, kw map[string]any) (any, error) {
	if method != ledger.MethodReconcile {
		return t.Client.Execute(ctx, model, method, args, kw)
	}
	t.mu.Lock()
	t.calls++
	fail := t.calls <= t.failFirst
	t.mu.Unlock()
	if fail && !t.lost {
		return nil, &odoo.Error{Kind: odoo.KindUnavailable, Status: 503, Message: "Service Unavailable", Model: model, Method: method}
	}
	res, err := t.Client.Execute(ctx, model, method, args, kw)
	if fail {
		return nil, &odoo.Error{Kind: odoo.KindUnavailable, Status: 503, Message: "Service Unavailable", Model: model, Method: method}
	}
	return res, err
}

func newRcFixture(t *testing.T) (string, *ledger.Store, *rcTarget) {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Version: 18, AdminKey: "k"})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New("k")})
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plan.yaml"), []byte(rcPlan), 0o600))
	for n, b := range rcFiles {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(b), 0o600))
	}
	st, err := ledger.Open(context.Background(), filepath.Join(dir, ".ferry"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return dir, st, &rcTarget{Client: c}
}

func rcRun(t *testing.T, dir string, st *ledger.Store, target load.Target) (*load.Summary, error) {
	t.Helper()
	p, ds, err := plan.Load(filepath.Join(dir, "plan.yaml"))
	require.NoError(t, err)
	require.Empty(t, ds)
	pl, err := pipeline.Prepare(context.Background(), p, pipeline.Options{})
	require.NoError(t, err)
	defer pl.Close()
	return load.Run(context.Background(), pl, target, st, load.Options{Workers: 2, Quarantine: filepath.Join(dir, "quarantine")})
}

func reconcileOf(s *load.Summary) load.ReconcileSummary {
	for _, e := range s.Entities {
		if e.Reconcile != nil {
			return *e.Reconcile
		}
	}
	return load.ReconcileSummary{}
}

func invoiceState(t *testing.T, c *odoo.Client, key string) (string, float64) {
	t.Helper()
	_, id, err := c.Resolve(context.Background(), "rc_test.invoices_"+key)
	require.NoError(t, err)
	recs, err := c.Read(context.Background(), "account.move", []int64{id}, []string{"payment_state", "amount_residual"})
	require.NoError(t, err)
	return recs[0]["payment_state"].(string), recs[0]["amount_residual"].(float64)
}

// A run that stops while reconciling — the server gone before the first
// reconcile call, or after it with the answer lost — is finished by the
// next run, which resumes it: the payments are posted once, each
// reconciled once (a reconciliation the lost answer did is found and not
// repeated), with the ledger steps an uninterrupted run leaves. The run
// after reconciles nothing and reports the three as unchanged.
func TestReconcileResumesAfterAnInterruption(t *testing.T) {
	for _, lost := range []bool{false, true} {
		t.Run(map[bool]string{false: "before the call", true: "answer lost"}[lost], func(t *testing.T) {
			dir, st, target := newRcFixture(t)
			target.failFirst, target.lost = 1, lost
			s, err := rcRun(t, dir, st, target)
			var stopped *load.StoppedError
			require.ErrorAs(t, err, &stopped)
			require.Equal(t, "payments", stopped.Entity)
			require.Equal(t, int64(3), s.Entities[len(s.Entities)-1].AfterLoad.Done, "posted before the reconciliation")

			s, err = rcRun(t, dir, st, target)
			require.NoError(t, err)
			require.True(t, s.Resumed)
			require.Equal(t, load.ReconcileSummary{Done: 3}, reconcileOf(s))
			calls := 3
			if !lost {
				calls = 4 // the refused call, then one per payment
			}
			require.Equal(t, calls, target.calls, "no payment is reconciled twice")
			for _, key := range []string{"INV--1", "INV--2"} {
				state, residual := invoiceState(t, target.Client, key)
				require.Equal(t, "paid", state, key)
				require.Zero(t, residual, key)
			}
			steps, err := st.ReconcileSteps(context.Background(), s.RunID, "payments")
			require.NoError(t, err)
			require.Len(t, steps, 3)
			for x, step := range steps {
				require.Equal(t, ledger.StepDone, step.State, x)
				im, err := ledger.DecodeReconcileImage(step.Before)
				require.NoError(t, err)
				require.Len(t, im.Partials, 1, x)
				require.Len(t, im.With, 1, x)
			}

			s, err = rcRun(t, dir, st, target)
			require.NoError(t, err)
			require.False(t, s.Resumed)
			require.Equal(t, load.ReconcileSummary{Unchanged: 3}, reconcileOf(s))
			require.Equal(t, calls, target.calls)
		})
	}
}

// A partial payment leaves its invoice partial; a payment whose invoice is
// not posted is refused with the reason and tried again by the next run.
func TestReconcileRefusesUnpostedInvoices(t *testing.T) {
	dir, st, target := newRcFixture(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "payments.csv"), []byte("no,partner,date,amount,invoice\nPAY-1,P1,2023-03-10,400,INV-1\nPAY-3,P2,2023-03-15,500,INV-2\n"), 0o600))
	ctx := context.Background()
	s, err := rcRun(t, dir, st, target)
	require.NoError(t, err)
	require.Equal(t, load.ReconcileSummary{Done: 2}, reconcileOf(s))
	state, residual := invoiceState(t, target.Client, "INV--1")
	require.Equal(t, "partial", state)
	require.Equal(t, 600.0, residual)

	// INV-2 reset to draft in Odoo: PAY-3's reconciliation (done) stays in 19, not in 18
	_, inv2, err := target.Client.Resolve(ctx, "rc_test.invoices_INV--2")
	require.NoError(t, err)
	_, err = target.Client.Execute(ctx, "account.move", "button_draft", []any{[]any{inv2}}, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "payments.csv"), []byte("no,partner,date,amount,invoice\nPAY-1,P1,2023-03-10,400,INV-1\nPAY-3,P2,2023-03-15,500,INV-2\nPAY-4,P2,2023-03-16,10,INV-2\n"), 0o600))
	s, err = rcRun(t, dir, st, target)
	require.NoError(t, err)
	rc := reconcileOf(s)
	require.Equal(t, int64(1), rc.Unchanged, "PAY-1")
	require.Equal(t, int64(2), rc.Failed, "PAY-3 and PAY-4")
	require.Len(t, rc.Refused, 2)
	require.Equal(t, "rc_test.payments_PAY--3", rc.Refused[0].ExternalID)
	require.Contains(t, rc.Refused[0].Message, "(rc_test.invoices_INV--2) is not posted (state draft): Ferry reconciles posted entries only")
	require.Equal(t, "partial", s.Result)
	q, err := os.ReadFile(filepath.Join(dir, "quarantine", "payments.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), "LOAD410")
	require.Contains(t, string(q), "is not posted (state draft)")
}

// A payment of an invoice that other payments already paid in full is
// refused with the reason: the invoice has no open item left to match.
func TestReconcileRefusesAnInvoicePaidInFull(t *testing.T) {
	dir, st, target := newRcFixture(t)
	s, err := rcRun(t, dir, st, target)
	require.NoError(t, err)
	require.Equal(t, load.ReconcileSummary{Done: 3}, reconcileOf(s))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "payments.csv"), []byte(rcFiles["payments.csv"]+"PAY-9,P1,2023-03-25,10,INV-1\n"), 0o600))
	s, err = rcRun(t, dir, st, target)
	require.NoError(t, err)
	rc := reconcileOf(s)
	require.Equal(t, int64(3), rc.Unchanged)
	require.Equal(t, int64(1), rc.Failed)
	require.Equal(t, "rc_test.payments_PAY--9", rc.Refused[0].ExternalID)
	require.Contains(t, rc.Refused[0].Message, "(rc_test.invoices_INV--1) is reconciled in full already (with other entries)")
}
