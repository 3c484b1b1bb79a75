package load_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
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
	"github.com/ferry-migrate/ferry/internal/verify"
)

const trPlan = `version: 1
name: tr
namespace: tr_test
target: {database: sandbox, login: admin}
sources:
  legacy: {kind: csv, path: .}
load: {batch_size: 2}
entities:
  - name: products
    model: product.template
    from: {source: legacy, file: products.csv}
    key: code
    fields:
      name: row.name
    translations:
      name: {fr_BE: row.fr, nl_BE: row.nl}
`

const trCSV = "code,name,fr,nl\nP1,Chair,Chaise,Stoel\nP2,Table,Table,Tafel\nP3,Lamp,Lampe,\nP4,Desk,Bureau,Bureau\nP5,Shelf,Étagère,Plank\n"

// trTarget counts update_field_translations calls and, while failAfter
// is set, answers the calls after the first failAfter like a server that
// went away (503); it refuses with a UserError the translations that
// hold the value refuse.
type trTarget struct {
	*odoo.Client
	mu        sync.Mutex
	calls     int
	failAfter int
	refuse    string
}

func (t *trTarget) Execute(ctx context.Context, model, method string, args []any, kw map[string]any) (any, error) {
	if method == ledger.MethodTranslations {
		t.mu.Lock()
		t.calls++
		n, failAfter, refuse := t.calls, t.failAfter, t.refuse
		t.mu.Unlock()
		if failAfter > 0 && n > failAfter {
			return nil, &odoo.Error{Kind: odoo.KindUnavailable, Status: 503, Message: "Service Unavailable", Model: model, Method: method}
		}
		if trs, _ := kw["translations"].(map[string]any); refuse != "" && (trs["fr_BE"] == refuse || trs["nl_BE"] == refuse) {
			return nil, &odoo.Error{Kind: odoo.KindValidation, Class: "odoo.exceptions.UserError", Message: "no translations today", Model: model, Method: method}
		}
	}
	return t.Client.Execute(ctx, model, method, args, kw)
}

type trFixture struct {
	dir   string
	store *ledger.Store
	t     *trTarget
}

func newTrFixture(t *testing.T, activate bool) *trFixture {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Version: 18, AdminKey: "k"})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	c, err := odoo.Dial(context.Background(), odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New("k")})
	require.NoError(t, err)
	if activate {
		ids, err := c.Search(context.Background(), "res.lang", odoo.Domain{[]any{"code", "in", []any{"fr_BE", "nl_BE"}}, []any{"active", "=", false}}, odoo.Page{})
		require.NoError(t, err)
		require.NoError(t, c.Write(context.Background(), "res.lang", ids, map[string]any{"active": true}))
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plan.yaml"), []byte(trPlan), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "products.csv"), []byte(trCSV), 0o600))
	st, err := ledger.Open(context.Background(), filepath.Join(dir, ".ferry"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return &trFixture{dir: dir, store: st, t: &trTarget{Client: c}}
}

func (f *trFixture) run(t *testing.T) (*load.Summary, error) {
	t.Helper()
	p, ds, err := plan.Load(filepath.Join(f.dir, "plan.yaml"))
	require.NoError(t, err)
	require.Empty(t, ds)
	pl, err := pipeline.Prepare(context.Background(), p, pipeline.Options{})
	require.NoError(t, err)
	defer pl.Close()
	return load.Run(context.Background(), pl, f.t, f.store, load.Options{Workers: 2, Quarantine: filepath.Join(f.dir, "quarantine")})
}

func (f *trFixture) names(t *testing.T, lang string) map[string]any {
	t.Helper()
	v, err := f.t.Client.Execute(context.Background(), "product.template", "search_read", []any{[]any{}},
		map[string]any{"fields": []any{"name", "id"}, "order": "id", "context": map[string]any{"lang": lang}})
	require.NoError(t, err)
	out := map[string]any{}
	for _, r := range v.([]any) {
		rec := r.(map[string]any)
		out[rec["name"].(string)] = true
	}
	return out
}

func translationsOf(s *load.Summary) load.TranslationSummary {
	for _, e := range s.Entities {
		if e.Translations != nil {
			return *e.Translations
		}
	}
	return load.TranslationSummary{}
}

// A run stopped while writing translations resumes: the steps it finished
// are not repeated, the others are written, and the summary is an
// uninterrupted run's. Later runs write nothing until a translation
// changes, and then only that record's.
func TestTranslationsResumeAndRerun(t *testing.T) {
	f := newTrFixture(t, true)
	f.t.failAfter = 2
	s, err := f.run(t)
	var stop *load.StoppedError
	require.True(t, errors.As(err, &stop), "%v", err)
	require.Equal(t, "products", stop.Entity)
	pending, err := f.store.TranslationSteps(context.Background(), "products")
	require.NoError(t, err)
	require.Len(t, pending, 5, "every step is recorded pending before the calls")
	done := 0
	for _, st := range pending {
		if st.State == ledger.StepDone {
			done++
		}
	}
	require.Equal(t, 2, done)

	f.t.failAfter, f.t.calls = 0, 0
	s2, err := f.run(t)
	require.NoError(t, err)
	require.True(t, s2.Resumed)
	require.Equal(t, s.RunID, s2.RunID)
	require.Equal(t, "ok", s2.Result)
	require.Equal(t, load.TranslationSummary{Written: 5}, translationsOf(s2), "as if never interrupted")
	require.Equal(t, 3, f.t.calls, "only the unfinished steps are called again")
	require.Equal(t, map[string]any{"Chaise": true, "Table": true, "Lampe": true, "Bureau": true, "Étagère": true}, f.names(t, "fr_BE"))
	require.Equal(t, map[string]any{"Stoel": true, "Tafel": true, "Lamp": true, "Bureau": true, "Plank": true}, f.names(t, "nl_BE"))

	f.t.calls = 0
	s3, err := f.run(t)
	require.NoError(t, err)
	require.False(t, s3.Resumed)
	require.Equal(t, load.TranslationSummary{Unchanged: 5}, translationsOf(s3))
	require.Zero(t, f.t.calls)

	csv := strings.Replace(trCSV, "P3,Lamp,Lampe,", "P3,Lamp,Lampe,Lamp NL", 1)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "products.csv"), []byte(csv), 0o600))
	s4, err := f.run(t)
	require.NoError(t, err)
	require.Equal(t, int64(5), s4.Entities[0].Unchanged, "the records themselves did not change")
	require.Equal(t, load.TranslationSummary{Written: 1, Unchanged: 4}, translationsOf(s4))
	require.Equal(t, 1, f.t.calls, "one call: the one record's one translated field")
	require.Contains(t, f.names(t, "nl_BE"), "Lamp NL")
}

// A record whose translations Odoo refuses stays loaded, is quarantined
// with Odoo's message, makes the run partial, and is tried again by the
// next run.
func TestTranslationsRefusedByOdooAreQuarantinedAndRetried(t *testing.T) {
	f := newTrFixture(t, true)
	f.t.refuse = "Tafel" // P2's
	s, err := f.run(t)
	require.NoError(t, err)
	require.Equal(t, "partial", s.Result)
	require.Equal(t, int64(5), s.Entities[0].Loaded)
	require.Equal(t, load.TranslationSummary{Written: 4, Failed: 1}, translationsOf(s))
	q, err := os.ReadFile(filepath.Join(f.dir, "quarantine", "products.csv"))
	require.NoError(t, err)
	require.Contains(t, string(q), "LOAD407")
	require.Contains(t, string(q), "name: no translations today")
	require.Contains(t, string(q), "P2")

	f.t.refuse = ""
	s2, err := f.run(t)
	require.NoError(t, err)
	require.Equal(t, "ok", s2.Result)
	require.Equal(t, load.TranslationSummary{Written: 1, Unchanged: 4}, translationsOf(s2))
	require.Contains(t, f.names(t, "nl_BE"), "Tafel")
}

// Languages the target has not activated stop the run before it starts.
func TestTranslationsIntoInactiveLanguagesWriteNothing(t *testing.T) {
	f := newTrFixture(t, false)
	_, err := f.run(t)
	var le *verify.LanguageError
	require.True(t, errors.As(err, &le), "%v", err)
	require.Equal(t, []string{"fr_BE", "nl_BE"}, le.Missing)
	runs, err := f.store.Runs(context.Background())
	require.NoError(t, err)
	require.Empty(t, runs, "no run was started")
	require.Empty(t, f.names(t, ""))
}
