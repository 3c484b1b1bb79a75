package plan_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
)

// An odoo source takes the target's connection keys, a selection names
// the model, a domain and fields, and the source learns the plan's
// namespace (it names records without an external ID).
func TestOdooSource(t *testing.T) {
	p, ds := plan.Parse([]byte(`version: 1
name: t
namespace: acme_t
target: {url: "https://new.example.com", api_key: {env: K}}
sources:
  old: {kind: odoo, url: "https://old.example.com", database: old, login: reader, api_key: {env: OLD_KEY}, protocol: jsonrpc}
  files: {kind: csv, path: .}
entities:
  - name: partners
    model: res.partner
    from: {source: old, table: res.partner, domain: [[is_company, "=", true], "|", [ref, "!=", false], [id, ">", 10]], fields: [name, parent_id]}
    key: xmlid
    fields:
      name: row.name
`), "plan.yaml")
	require.Empty(t, ds)
	require.Equal(t, source.Spec{Kind: "odoo", URL: "https://old.example.com", Database: "old", Login: "reader",
		APIKey: secret.Ref{Env: "OLD_KEY"}, Protocol: "jsonrpc", Namespace: "acme_t"}, p.Sources["old"])
	require.Empty(t, p.Sources["files"].Namespace)
	from := p.Entities[0].From
	require.Equal(t, "res.partner", from.Table)
	require.Equal(t, []string{"name", "parent_id"}, from.Fields)
	require.Len(t, from.Domain, 4)
	require.Equal(t, "|", from.Domain[1])
}

func TestOdooSourceRefusesLiteralSecrets(t *testing.T) {
	_, ds := plan.Parse([]byte(`version: 1
name: t
namespace: acme_t
target: {url: "https://new.example.com", api_key: {env: K}}
sources:
  old: {kind: odoo, url: "https://old.example.com", database: old, login: reader, password: hunter2}
entities:
  - name: partners
    model: res.partner
    from: {source: old, table: res.partner}
    key: xmlid
    fields:
      name: row.name
`), "plan.yaml")
	require.Len(t, ds, 1)
	require.Equal(t, "CFG102", ds[0].Code)
}
