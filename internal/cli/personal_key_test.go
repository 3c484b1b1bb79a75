package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/secret"
)

const personalKeyPlan = `  - name: people
    model: res.partner
    from: {source: legacy, file: people.csv}
    key: email
    personal_key: true
    unmasked: [name, email]
    fields:
      name: row.name
      email: row.email
`

// A personal key is hashed into its external ID with FERRY_MASK_KEY: any
// internal user can read external IDs, and a hash keyed by the plan alone
// could be recomputed to test guesses. Without the key the plan is refused.
func TestPersonalKeysAreHashedWithTheSecretKey(t *testing.T) {
	plan, _, c := sandboxPlan(t, "people", map[string]string{
		"people.csv": "email,name\nanna.bernard@example.com,Anna Bernard\n",
	}, personalKeyPlan)
	t.Setenv("FERRY_MASK_KEY", "")
	code, _, errs := run(t, "run", plan)
	require.Equal(t, ExitUsage, code, errs)
	require.Contains(t, errs, "set FERRY_MASK_KEY")

	const key = "a-secret-of-sixteen-chars"
	t.Setenv("FERRY_MASK_KEY", key)
	code, out, errs := run(t, "run", plan)
	require.Equal(t, ExitOK, code, "%s\n%s", out, errs)
	recs, err := c.SearchRead(context.Background(), "ir.model.data", odoo.Domain{[]any{"module", "=", "legacy_people"}}, []string{"name"}, odoo.Page{})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	name := recs[0]["name"].(string)
	require.NotContains(t, strings.ToLower(name), "anna")
	unkeyed, _ := mapping.NewIDs("legacy_people", secret.String{}).EncodeKey([]string{"anna.bernard@example.com"}, true)
	keyed, _ := mapping.NewIDs("legacy_people", secret.New("external-ids:"+key)).EncodeKey([]string{"anna.bernard@example.com"}, true)
	require.Equal(t, "people_"+keyed, name)
	require.NotEqual(t, keyed, unkeyed, "the plan alone does not give the hash")
}
