package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/demo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
)

// A test target refuses personal fields that no mask rule covers, unless
// the plan lists them under unmasked; a mask rule on the column read is
// enough.
func TestATestTargetRefusesUnmaskedPersonalFields(t *testing.T) {
	load := func(t *testing.T, edit func(string) string) error {
		dir := t.TempDir()
		require.NoError(t, os.CopyFS(dir, demo.Files()))
		path := filepath.Join(dir, demo.PlanName)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, []byte(edit(string(b))), 0o644))
		p, _, err := plan.Load(path)
		require.NoError(t, err)
		pl, err := pipeline.Prepare(context.Background(), p, pipeline.Options{})
		if err == nil {
			pl.Close()
		}
		return err
	}
	const unmasked = "    unmasked: [name, email, phone, street, zip, city, vat]\n"
	err := load(t, func(s string) string { return strings.Replace(s, unmasked, "", 1) })
	var pe *pipeline.PlanError
	require.True(t, errors.As(err, &pe), "%v", err)
	fields := map[string]bool{}
	for _, d := range pe.Findings {
		if d.Code == "SEC602" {
			fields[d.Field] = true
			require.Equal(t, "customers", d.Entity)
		}
	}
	require.Equal(t, map[string]bool{"name": true, "email": true, "phone": true, "street": true, "zip": true, "city": true, "vat": true}, fields)

	err = load(t, func(s string) string {
		return strings.Replace(s, unmasked, "    unmasked: [street, zip, city, vat]\n    mask: {name: person_name, email: email, phone: phone}\n", 1)
	})
	require.NoError(t, err, "masked columns cover name, email and phone")

	require.NoError(t, load(t, func(s string) string { return strings.Replace(s, "environment: test", "environment: production", 1) }))
}

func TestReadsMaskedSeesQuotedColumnNames(t *testing.T) {
	mask := map[string]string{"E-Mail": "email", "phone": "phone"}
	for expr, want := range map[string]bool{
		`lower(trim(row["E-Mail"]))`: true, `row['E-Mail']`: true, `trim(row.phone)`: true, `row.email`: false, `"E-Mail"`: false,
	} {
		require.Equal(t, want, pipeline.ReadsMasked(expr, mask), expr)
	}
}
