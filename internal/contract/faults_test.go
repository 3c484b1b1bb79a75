package contract

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// faulty starts a sandbox with faults and a client with fast retries.
func faulty(t *testing.T, tr odoo.Transport, f sandbox.Faults) (*sandbox.Server, *odoo.Client) {
	sb, err := sandbox.New(sandbox.Options{Version: 18})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", Password: secret.New("admin"), Transport: tr})
	require.NoError(t, err)
	c.SetBackoff(time.Millisecond)
	sb.SetFaults(f)
	return sb, c
}

func TestUnavailableIsRetried(t *testing.T) {
	for _, kind := range []string{sandbox.Fault503, sandbox.Fault502} {
		t.Run(kind, func(t *testing.T) {
			_, c := faulty(t, odoo.JSONRPC, sandbox.Faults{Kinds: []string{kind}, Every: 2})
			for i := 0; i < 4; i++ {
				_, err := c.Create(ctx(t), "res.partner", []map[string]any{{"name": "retry"}})
				require.NoError(t, err, "a 5xx answer means the call did not run: safe to repeat, even a create")
			}
		})
	}
}

func TestDroppedConnectionRetriesOnlyIdempotentCalls(t *testing.T) {
	_, c := faulty(t, odoo.XMLRPC, sandbox.Faults{Kinds: []string{sandbox.FaultDrop}, Every: 2})
	_, err := c.SearchCount(ctx(t), "res.country", nil) // call 1: ok
	require.NoError(t, err)
	_, err = c.SearchCount(ctx(t), "res.country", nil) // call 2 dropped, retried as call 3
	require.NoError(t, err)
	_, err = c.Search(ctx(t), "res.country", nil, odoo.Page{Limit: 1}) // call 4 dropped, retried as call 5
	require.NoError(t, err)
	_, err = c.Create(ctx(t), "res.partner", []map[string]any{{"name": "maybe"}}) // call 6 dropped: not repeated
	require.Error(t, err)
	require.True(t, odoo.IsKind(err, odoo.KindTransport), "%v", err)
}

func TestSerializationFailureInLoadAnswerIsRetried(t *testing.T) {
	sb, c := faulty(t, odoo.JSONRPC, sandbox.Faults{Kinds: []string{sandbox.FaultLoadRow}, Every: 2})
	_ = sb
	for i := 0; i < 3; i++ {
		res, err := c.Load(ctx(t), "res.partner", []string{"id", "name"}, [][]string{{"ferry_contract.busy", "Busy"}}, nil)
		require.NoError(t, err)
		require.False(t, res.RolledBack)
	}
	n, err := c.SearchCount(ctx(t), "res.partner", odoo.Domain{[]any{"name", "=", "Busy"}})
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "retried loads by external ID never duplicate")
}

func TestSerializationFaultIsConcurrency(t *testing.T) {
	_, c := faulty(t, odoo.XMLRPC, sandbox.Faults{Kinds: []string{sandbox.FaultSerialization}, Every: 1})
	_, err := c.Create(ctx(t), "res.partner", []map[string]any{{"name": "never"}})
	require.True(t, odoo.IsKind(err, odoo.KindConcurrency), "%v", err)
}
