package fastpath

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/testutil"
	"github.com/ferry-migrate/ferry/internal/verify"
	"github.com/ferry-migrate/ferry/internal/verify/fastpath/fastpathtest"
)

// ids is ir_model_data in memory: verify.IDs over "module.name" keys.
type ids struct {
	byXML map[string]int64
	model map[string]string
	byID  map[string]map[int64]string
}

var _ verify.IDs = (*ids)(nil)

func newIDs() *ids {
	return &ids{byXML: map[string]int64{}, model: map[string]string{}, byID: map[string]map[int64]string{}}
}

func (x *ids) put(xmlid, model string, id int64) {
	x.byXML[xmlid], x.model[xmlid] = id, model
	if x.byID[model] == nil {
		x.byID[model] = map[int64]string{}
	}
	x.byID[model][id] = xmlid
}

func (x *ids) XMLID(model string, id int64) string { return x.byID[model][id] }

func (x *ids) ID(model, xmlid string) (int64, bool) {
	id, ok := x.byXML[xmlid]
	if !ok || x.model[xmlid] != model || x.byID[model][id] != xmlid {
		return 0, false
	}
	return id, true
}

// newFixture makes a scratch Odoo-shaped database and a Checker on it.
func newFixture(t testing.TB, opts Options) (*fastpathtest.DB, *Checker) {
	t.Helper()
	testutil.Integration(t)
	db := fastpathtest.NewDB(t)
	c, err := New(context.Background(), db.Conn, opts)
	require.NoError(t, err)
	return db, c
}

// putXMLIDs writes ir_model_data rows for "module.name" external IDs.
func putXMLIDs(t testing.TB, conn *pgx.Conn, model string, byXML map[string]int64) {
	t.Helper()
	rows := make([][]any, 0, len(byXML))
	for x, id := range byXML {
		mod, name, _ := strings.Cut(x, ".")
		rows = append(rows, []any{mod, name, model, id})
	}
	_, err := conn.CopyFrom(context.Background(), pgx.Identifier{"ir_model_data"}, []string{"module", "name", "model", "res_id"},
		pgx.CopyFromRows(rows))
	require.NoError(t, err)
}

func exec(t testing.TB, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	_, err := conn.Exec(context.Background(), sql, args...)
	require.NoError(t, err, sql)
}

// collect runs Compare and returns the results by external ID.
func collect(t testing.TB, c *Checker, spec Spec, recs []Record, names verify.Resolver) (map[string]verify.Result, Stats) {
	t.Helper()
	out := map[string]verify.Result{}
	st, err := c.Compare(context.Background(), spec, recs, names, func(r verify.Result) {
		_, dup := out[r.ExternalID]
		require.False(t, dup, "two results for %s", r.ExternalID)
		out[r.ExternalID] = r
	})
	require.NoError(t, err)
	require.Len(t, out, len(recs))
	return out, st
}
