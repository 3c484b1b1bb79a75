package golden

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source/open"
)

// notInGolden lists the finding codes no golden case can show, with the
// reason and the test that covers each instead. Every other code of
// diag.Codes must appear in some case's expected outputs.
var notInGolden = map[string]string{
	// Unreachable from a plan file: the plan schema only admits version 1,
	// so version: 2 is a CFG101 first (case plan_version shows it). No test
	// reaches CFG107 (internal/plan/semantics.go); reported as a bug.
	"CFG107": "unreachable: the schema refuses the version first",
	// Needs pipeline.Options.UoMCategories, which no command sets
	// (validate, run and --rehearse leave it nil), so no command can emit
	// it and no test covers it (internal/pipeline/refs.go uom); reported.
	"VAL318": "unreachable: no command sets Options.UoMCategories",
	// The loader's codes arise only in a run against a target; the rows
	// they concern are in the ledger (and, but for LOAD401, in quarantine).
	// LOAD401: internal/load/run_test.go TestRunLoadsQuarantinesAndPosts
	// (customers/2 quarantines the row Odoo refused in pass 1).
	"LOAD401": "run only: pass 2 of a row Odoo refused in pass 1",
	// LOAD402: internal/load/run_test.go TestAfterLoadFailuresAreFindings.
	"LOAD402": "run only: after-load actions",
	// LOAD403: internal/load/encode_test.go TestEncode "mixed many2many"
	// (the encoding error internal/load/pass.go quarantines as LOAD403).
	"LOAD403": "run only: raised while encoding a batch for Odoo",
	// LOAD404: internal/load/run_test.go TestWarningsAndSilentRejections.
	"LOAD404": "run only: Odoo's warnings on a loaded row",
	// LOAD405: internal/load/run_test.go TestWarningsAndSilentRejections.
	"LOAD405": "run only: Odoo's answer to a row sent alone",
	// LOAD406: internal/cli/edits_test.go TestRunDoesNotOverwriteEditsMadeInOdoo.
	"LOAD406": "run only: compares with what an earlier run wrote",
	// LOAD407: internal/load/translations_test.go
	// TestTranslationsRefusedByOdooAreQuarantinedAndRetried.
	"LOAD407": "run only: update_field_translations after the load",
	// LOAD408: internal/load/attachments_test.go
	// TestAttachmentChangedFileAndMissingRecordAreQuarantined.
	"LOAD408": "run only: res_id is resolved in Odoo when the batch is sent",
	// LOAD409: internal/load/run_test.go TestUpdatesOfPostedDocumentsAreNotSent.
	"LOAD409": "run only: the document's state in Odoo when an update is sent",
	// LOAD410: internal/cli/payments_test.go
	// TestPaymentsAreReconciledWithTheirInvoices.
	"LOAD410": "run only: reconcile: after the after-load actions",
	// VAL323: internal/cli/companies_test.go
	// TestEntityCompanyIsCheckedAgainstItsReferences.
	"VAL323": "needs a target with several companies (lookups against it)",
}

// goldenCases are the cases that count for coverage: not the known bugs,
// which are skipped.
func goldenCases(t *testing.T) []goldenCase {
	var out []goldenCase
	for _, c := range cases(t) {
		if _, bug := knownBugs[c.name]; !bug {
			out = append(out, c)
		}
	}
	return out
}

func TestGoldenCoversEveryFindingCode(t *testing.T) {
	var all strings.Builder
	for name, files := range readExpected(t) {
		if _, bug := knownBugs[name]; bug {
			continue
		}
		for _, b := range files {
			all.WriteString(b + "\n")
		}
	}
	text := all.String()
	known := map[string]bool{}
	var missing, stale []string
	for _, c := range diag.Codes {
		known[c.Code] = true
		shown := regexp.MustCompile(`\b` + c.Code + `\b`).MatchString(text)
		_, exempt := notInGolden[c.Code]
		switch {
		case !shown && !exempt:
			missing = append(missing, c.Code+" ("+c.Summary+")")
		case shown && exempt:
			stale = append(stale, c.Code)
		}
	}
	for code := range notInGolden {
		require.True(t, known[code], "notInGolden lists %s, which diag.Codes does not declare", code)
	}
	require.Empty(t, missing, "finding codes no golden case shows: add a case (or, if validate cannot emit it, an entry in notInGolden naming the test that covers it)")
	require.Empty(t, stale, "codes listed in notInGolden that a golden case does show: remove them from the list")
}

// plans returns each counted case's plan.yaml text.
func plans(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, c := range goldenCases(t) {
		b, err := os.ReadFile(filepath.Join(c.dir, "plan.yaml"))
		require.NoError(t, err)
		out[c.name] = string(b)
	}
	return out
}

func TestGoldenUsesEveryFunction(t *testing.T) {
	lib := mapping.NewLibrary("", mapping.NewIDs("golden", secret.String{}), nil)
	var text strings.Builder
	for _, p := range plans(t) {
		text.WriteString(p)
	}
	var unused []string
	for _, name := range lib.Names() {
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\(`).MatchString(text.String()) {
			unused = append(unused, name)
		}
	}
	require.NotEmpty(t, lib.Names())
	require.Empty(t, unused, "expression functions no golden plan calls")
}

// parsedPlans decodes every counted plan that decodes (the plan_* cases
// are meant not to).
func parsedPlans(t *testing.T) map[string]*plan.Plan {
	out := map[string]*plan.Plan{}
	for name, text := range plans(t) {
		if p, ds := plan.Parse([]byte(text), name+"/plan.yaml"); p != nil && diag.Max(ds) < diag.Error {
			out[name] = p
		}
	}
	require.NotEmpty(t, out)
	return out
}

// schemaDefs reads the plan's JSON Schema: the properties of a rule and
// the normalizations of a duplicate search, so a new rule kind or
// normalization shows up here without editing this test.
func schemaDefs(t *testing.T) (ruleProps []string, normalizations []string) {
	b, err := plan.Schema()
	require.NoError(t, err)
	var s struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(b, &s))
	for name := range s.Defs["Rule"].Properties {
		ruleProps = append(ruleProps, name)
	}
	sort.Strings(ruleProps)
	normalizations = s.Defs["Duplicate"].Properties["normalize"].Enum
	require.NotEmpty(t, ruleProps)
	require.NotEmpty(t, normalizations)
	return ruleProps, normalizations
}

func TestGoldenUsesEveryRuleKind(t *testing.T) {
	props, normalizations := schemaDefs(t)
	kinds := map[string]bool{}
	for _, p := range props {
		switch p {
		case "name", "field":
		case "min", "max":
			kinds["range"] = true
		default: // a check (required, unique, …) or an option (severity, message)
			kinds[p] = true
		}
	}
	used := map[string]bool{}
	use := func(rs []plan.Rule) {
		for _, r := range rs {
			used[r.Kind()] = true
			used["severity"] = used["severity"] || r.Severity != ""
			used["message"] = used["message"] || r.Message != ""
		}
	}
	for _, p := range parsedPlans(t) {
		for _, e := range p.Entities {
			use(e.Rules)
			for _, l := range e.Lines {
				use(l.Rules)
				used["lines rules"] = used["lines rules"] || len(l.Rules) > 0
			}
			used["skip"] = used["skip"] || len(e.Skip) > 0
			for _, d := range e.Duplicates {
				used["normalize "+d.Normalize] = true
				used["duplicates severity "+d.Severity] = true
			}
		}
	}
	want := []string{"skip", "lines rules", "duplicates severity error", "duplicates severity warning"}
	for k := range kinds {
		want = append(want, k)
	}
	for _, n := range normalizations {
		want = append(want, "normalize "+n)
	}
	var unused []string
	for _, k := range want {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	sort.Strings(unused)
	require.Empty(t, unused, "rule kinds, rule options, skips and duplicate normalizations no golden plan uses")
}

func TestGoldenReadsEverySourceKind(t *testing.T) {
	used := map[string]bool{}
	for _, p := range parsedPlans(t) {
		for _, s := range p.Sources {
			used[s.Kind] = true
			if strings.HasPrefix(s.Path, "sftp://") || strings.HasPrefix(s.Path, "${SFTP_URL}") {
				used[s.Kind+" over sftp"] = true
			}
		}
	}
	want := append(append([]string(nil), open.Kinds...), plan.FilesKind, "csv over sftp", "xlsx over sftp")
	var unused []string
	for _, k := range want {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	require.Empty(t, unused, "source kinds no golden case reads")
}
