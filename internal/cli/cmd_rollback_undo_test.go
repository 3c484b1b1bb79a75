package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/snapshot"
)

// What a run does besides loading rows, and what a run that stopped
// mid-batch leaves behind, is undone too: the target must be as a
// snapshot taken before the run recorded it, record for record.

// Rows gone from the source are archived (on_delete: archive) with their
// before-image, and rollback unarchives them; the dry run names them.
// (Before, the archive kept no image: rollback left them archived.)
func TestRollbackUnarchivesWhatTheRunArchived(t *testing.T) {
	l := newLaterRunsOf(t, csvB, strings.Replace(laterPlan, "    key: code\n", "    key: code\n    on_delete: archive\n", 1))
	before := l.snap()
	runA := l.run(csvB)
	afterA := l.snap()
	runB := l.run(csvA) // P3 is gone: archived; P1 updated
	ctx := context.Background()
	_, p3, err := l.c.Resolve(ctx, "legacy_later.partners_P3")
	require.NoError(t, err)
	recs, err := l.c.Read(ctx, "res.partner", []int64{p3}, []string{"active"})
	require.NoError(t, err)
	require.Equal(t, false, recs[0]["active"], "the run archived P3")

	code, out, errs := run(t, "rollback", l.plan, "--dry-run")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "rollback of run "+runB+" would:\n  partners restore ×1\n  partners unarchive ×1\n")
	require.Contains(t, out, fmt.Sprintf("  unarchive legacy_later.partners_P3 res.partner id %d: active back to true\n", p3))

	code, out, errs = run(t, "rollback", l.plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Equal(t, "rollback of run "+runB+": 0 deleted, 1 restored, 1 unarchived, 0 refused\n", out)
	l.sameAs(afterA, "the target is as run A left it: P3 active again")

	runC := l.run(csvA) // the ledger still holds P3 as run A loaded it: archived again
	recs, err = l.c.Read(ctx, "res.partner", []int64{p3}, []string{"active"})
	require.NoError(t, err)
	require.Equal(t, false, recs[0]["active"], "the next run archives P3 again")
	code, out, errs = run(t, "rollback", l.plan, "--run", runA, "--with-later")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "rollback of run "+runC+": 0 deleted, 1 restored, 1 unarchived, 0 refused")
	require.Contains(t, out, "rollback of run "+runA+": 3 deleted, 0 restored, 0 refused")
	l.sameAs(before, "the target is as it was before run A")
}

const undoTranslationsCSV = "code,name,name_fr,name_nl,sale_nl\n" +
	"P1,Chair,Chaise,Stoel,Comfortabele stoel\n" +
	"P2,Table,Table,Tafel,\n" +
	"P3,Lamp,Lampe,,Leeslamp\n"

// langSnaps fingerprints the products, their variants and the external
// IDs as read in en_US, fr_BE and nl_BE.
type langSnaps struct {
	t       *testing.T
	clients map[string]*odoo.Client
}

func newLangSnaps(t *testing.T, c *odoo.Client, key string) *langSnaps {
	t.Helper()
	s := &langSnaps{t: t, clients: map[string]*odoo.Client{}}
	for _, lang := range []string{"en_US", "fr_BE", "nl_BE"} {
		lc, err := odoo.Dial(context.Background(), odoo.Config{URL: c.URLString(), Database: c.Database(), Login: "admin", APIKey: secret.New(key), Lang: lang})
		require.NoError(t, err)
		s.clients[lang] = lc
	}
	return s
}

func (s *langSnaps) take() map[string]*snapshot.Snapshot {
	s.t.Helper()
	out := map[string]*snapshot.Snapshot{}
	models := []string{"product.template", "product.product", "ir.model.data"}
	for lang, c := range s.clients {
		snap, err := snapshot.Take(context.Background(), snapshotReader{c}, snapshot.Options{Models: models,
			Fingerprint: map[string]bool{"product.template": true, "product.product": true, "ir.model.data": true}})
		require.NoError(s.t, err)
		out[lang] = snap
	}
	return out
}

func (s *langSnaps) sameAs(before map[string]*snapshot.Snapshot, msg string) {
	s.t.Helper()
	now := s.take()
	for lang, b := range before {
		var out strings.Builder
		diffs := snapshot.Compare(b, now[lang], nil)
		require.NoError(s.t, printCompare(&out, diffs, 0))
		for _, d := range diffs {
			require.True(s.t, d.Clean(), "%s, read in %s:\n%s", msg, lang, out.String())
		}
	}
}

// Translations a run wrote on records it updated are written back as
// they were: a language with a value of its own gets it again, one that
// had none has none again (it reads the en_US value, also after en_US
// changes), a field that was empty is empty. The next run writes them
// again. (Before, rollback left the run's translations in place, and the
// next run took them for unchanged.)
func TestRollbackRestoresTranslationsOfRecordsTheRunUpdated(t *testing.T) {
	plan, c := translatedPlan(t, 18, true)
	ctx := context.Background()
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(plan), "data", "products.csv"), []byte(undoTranslationsCSV), 0o644))
	pre, err := c.Load(ctx, "product.template", []string{"id", "name", "default_code"},
		[][]string{{"legacy_tr.products_P1", "Old Chair", "P1"}, {"legacy_tr.products_P2", "Old Table", "P2"}}, nil)
	require.NoError(t, err)
	require.False(t, pre.RolledBack, "%+v", pre.Messages)
	_, err = c.Execute(ctx, "product.template", "update_field_translations", []any{[]any{pre.IDs[0]}},
		map[string]any{"field_name": "name", "translations": map[string]any{"fr_BE": "Vieille chaise"}})
	require.NoError(t, err)
	snaps := newLangSnaps(t, c, "tr-key-18")
	before := snaps.take()

	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "translations products: 3 written, 0 unchanged, 0 failed")
	require.Equal(t, "Stoel", readLang(t, c, "legacy_tr.products_P1", "name", "nl_BE"))

	code, out, errs = run(t, "rollback", plan, "--dry-run")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "  products delete ×1\n  products restore ×2\n")
	require.Contains(t, out, fmt.Sprintf("  restore legacy_tr.products_P1 product.template id %d: translations of description_sale (nl_BE), "+
		"translations of name (fr_BE, nl_BE)\n", pre.IDs[0]))

	code, out, errs = run(t, "rollback", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, ": 1 deleted, 2 restored, 0 refused")
	snaps.sameAs(before, "the products read as before the run in every language")
	require.Equal(t, "Vieille chaise", readLang(t, c, "legacy_tr.products_P1", "name", "fr_BE"))
	require.NoError(t, c.Write(ctx, "product.template", pre.IDs[:1], map[string]any{"name": "Renamed Chair"}))
	require.Equal(t, "Renamed Chair", readLang(t, c, "legacy_tr.products_P1", "name", "nl_BE"),
		"nl_BE has no value of its own again: it follows en_US")
	require.Equal(t, "Vieille chaise", readLang(t, c, "legacy_tr.products_P1", "name", "fr_BE"))

	code, out, errs = run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "translations products: 3 written, 0 unchanged, 0 failed", "the rolled-back run's translations do not count")
	require.Equal(t, "Stoel", readLang(t, c, "legacy_tr.products_P1", "name", "nl_BE"))
}

// A run that changed translations only (its records unchanged) is undone
// too; a translation someone edited since the run wrote it is refused,
// naming the language, unless --force.
func TestRollbackOfTranslationsOnlyAndTheirEdits(t *testing.T) {
	plan, c := translatedPlan(t, 18, true)
	ctx := context.Background()
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	snaps := newLangSnaps(t, c, "tr-key-18")
	afterA := snaps.take()
	csv := filepath.Join(filepath.Dir(plan), "data", "products.csv")
	require.NoError(t, os.WriteFile(csv, []byte(strings.Replace(translationsCSV, "P2,Table,Table,Tafel,", "P2,Table,Table,Eettafel,", 1)), 0o644))
	code, out, errs = run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "translations products: 1 written, 2 unchanged, 0 failed")

	_, p2, err := c.Resolve(ctx, "legacy_tr.products_P2")
	require.NoError(t, err)
	_, err = c.Execute(ctx, "product.template", "update_field_translations", []any{[]any{p2}},
		map[string]any{"field_name": "name", "translations": map[string]any{"fr_BE": "Bureau"}})
	require.NoError(t, err)
	code, out, errs = run(t, "rollback", plan)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, errs)
	require.Contains(t, out, "0 deleted, 0 restored, 1 refused")
	require.Contains(t, out, `name[fr_BE]: the run wrote "Table", Odoo now holds "Bureau"`)
	require.Equal(t, "Eettafel", readLang(t, c, "legacy_tr.products_P2", "name", "nl_BE"), "a refused record is left alone")

	code, out, errs = run(t, "rollback", plan, "--force")
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	require.Contains(t, out, "0 deleted, 1 restored, 0 refused")
	snaps.sameAs(afterA, "the products read as the first run left them")
}

// lossyProxy forwards every request to the sandbox at target, except that
// the answer to the n-th load call is lost: Odoo applies the call, the
// client gets a proxy's 500 page (not retried: its outcome is unknown).
func lossyProxy(t *testing.T, target string, n int) *httptest.Server {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	var mu sync.Mutex
	loads := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var call struct {
			Params struct {
				Args []any `json:"args"`
			} `json:"params"`
		}
		_ = json.Unmarshal(body, &call)
		mu.Lock()
		if len(call.Params.Args) > 4 && call.Params.Args[4] == "load" {
			loads++
		}
		lose := len(call.Params.Args) > 4 && call.Params.Args[4] == "load" && loads == n
		mu.Unlock()
		if !lose {
			rp.ServeHTTP(w, r)
			return
		}
		applied := httptest.NewRecorder()
		rp.ServeHTTP(applied, r)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<html><head><title>500 Internal Server Error</title></head><body>upstream answered, the answer was lost</body></html>"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A run whose second batch Odoo applied but whose answer was lost stops
// with that batch's rows pending and no ids for them; rollback finds the
// records by external ID and deletes them with the rest, so the target is
// as it was before the run — also for a user who may not read
// ir.model.data. (Before, the pending rows were ignored: their records
// stayed in Odoo with the plan's external IDs.)
func TestRollbackDeletesWhatABatchWithALostAnswerCreated(t *testing.T) {
	for _, restricted := range []bool{false, true} {
		t.Run(fmt.Sprintf("restricted=%v", restricted), func(t *testing.T) {
			csv := "code,name,city\nP0,Zero,Hamar\nP1,One,Oslo\nP2,Two,Bergen\nP3,Three,Bodø\nP4,Four,Tromsø\n"
			plan, sb, c := sandboxPlan(t, "lost", map[string]string{"partners.csv": csv}, laterPlan)
			ctx := context.Background()
			pre, err := c.Load(ctx, "res.partner", []string{"id", "name", "city"}, [][]string{{"legacy_lost.partners_P0", "Old Zero", "Old Town"}}, nil)
			require.NoError(t, err)
			require.False(t, pre.RolledBack)
			if restricted { // its user record has a partner: created before the snapshot
				require.NoError(t, sb.AddUser(sandbox.User{Login: "clerk", APIKey: "clerk-api-key-0123456789abcdef", Restricted: true}))
			}
			l := &laterRuns{t: t, plan: plan, c: c}
			before := l.snap()

			proxy := lossyProxy(t, sb.URL, 2)
			code, out, errs := run(t, "run", plan, "--url", proxy.URL, "--batch-size", "2", "--workers", "1")
			require.NotEqual(t, ExitOK, code, "%s\n%s", out, errs)
			require.Contains(t, errs, "HTML page")
			st, err := ledger.Open(ctx, filepath.Join(filepath.Dir(plan), ".ferry"))
			require.NoError(t, err)
			rows, err := st.Rows(ctx, "partners", 1)
			require.NoError(t, err)
			require.NoError(t, st.Close())
			for _, k := range []string{"legacy_lost.partners_P2", "legacy_lost.partners_P3"} {
				require.Equal(t, ledger.Pending, rows[k].State, k)
				require.Zero(t, rows[k].OdooID, "%s: the ledger never learnt its id", k)
				_, _, err := c.Resolve(ctx, k)
				require.NoError(t, err, "%s: Odoo created it all the same", k)
			}

			code, out, errs = run(t, "rollback", plan, "--dry-run")
			require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
			require.Contains(t, out, "  partners delete if it exists ×2\n  partners delete ×1\n  partners restore ×1\n")
			require.Contains(t, out, "  delete legacy_lost.partners_P2 res.partner if it exists (the run stopped before Odoo's answer to its batch was recorded")
			require.Contains(t, out, "  delete legacy_lost.partners_P3 res.partner if it exists (")

			args := []string{"rollback", plan}
			if restricted {
				t.Setenv("FERRY_ODOO_API_KEY", "clerk-api-key-0123456789abcdef")
				args = append(args, "--login", "clerk")
			}
			code, out, errs = run(t, args...)
			require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
			require.Regexp(t, regexp.MustCompile(`rollback of run \S+: 3 deleted, 1 restored, 0 refused\n`), out)
			if restricted {
				require.Contains(t, out, "  note: the user may not read ir.model.data: the 2 record(s) of a lost answer were looked up one by one by external ID (check_object_reference)\n")
			} else {
				require.NotContains(t, out, "note:")
			}
			l.sameAs(before, "the target is as it was before the run")

			t.Setenv("FERRY_ODOO_API_KEY", "") // the plan's admin again
			code, out, errs = run(t, "run", plan)
			require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
			require.Regexp(t, `partners\s+res.partner\s+5\s+5\s+0\s+0\s+0\s+holds`, out, "the next run loads every row again")
		})
	}
}
