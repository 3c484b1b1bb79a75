package odoosrc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// realOld connects to the real Odoo named by FERRY_TEST_ODOO_URL, _DB,
// _LOGIN and _PASSWORD or _API_KEY (the contract suite's variables; an
// optional _TRANSPORT forces json2, jsonrpc or xmlrpc), or
// skips: no real Odoo is required, even with FERRY_INTEGRATION=1. The
// tests create their records with a unique prefix and delete them.
func realOld(t *testing.T) *old {
	testutil.Integration(t)
	url := os.Getenv("FERRY_TEST_ODOO_URL")
	if url == "" {
		t.Skip("real Odoo not tested: set FERRY_TEST_ODOO_URL, _DB, _LOGIN and _PASSWORD or _API_KEY")
	}
	cfg := odoo.Config{URL: url, Database: os.Getenv("FERRY_TEST_ODOO_DB"), Login: os.Getenv("FERRY_TEST_ODOO_LOGIN"),
		Password: secret.New(os.Getenv("FERRY_TEST_ODOO_PASSWORD")), APIKey: secret.New(os.Getenv("FERRY_TEST_ODOO_API_KEY"))}
	tr, err := odoo.ParseTransport(os.Getenv("FERRY_TEST_ODOO_TRANSPORT"))
	require.NoError(t, err)
	cfg.Transport = tr
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := odoo.Dial(ctx, cfg)
	require.NoError(t, err)
	t.Logf("Odoo %s over %s", c.Version().Full, c.Transport())
	return &old{cfg: cfg, c: c}
}

func prefix() string { return strings.ReplaceAll(testutil.UniqueName("Ferry src"), "_", " ") }

func TestIntegrationRealOdooConformance(t *testing.T) {
	o := realOld(t)
	p := prefix()
	want := partners(t, o, p)
	sourcetest.Run(t, func(t *testing.T) source.Source {
		return o.open(t, Options{Model: "res.partner", Domain: conf(p), Fields: partnerFields, Page: 2})
	}, want)
}

func TestIntegrationRealOdooRelations(t *testing.T) {
	o := realOld(t)
	tag := o.create(t, "res.partner.category", map[string]any{"name": prefix()})
	co := o.create(t, "res.partner", map[string]any{"name": prefix(), "is_company": true})
	p := o.create(t, "res.partner", map[string]any{"name": prefix(), "parent_id": co, "country_id": countryID(t, o, "BE"),
		"category_id": []any{[]any{6, 0, []any{tag}}}})
	s := o.open(t, Options{Model: "res.partner", Domain: []any{[]any{"id", "=", p}},
		Fields: []string{"parent_id", "country_id", "category_id", "company_id", "create_date"}})
	recs := scanAll(t, s, record.Position{})
	require.Len(t, recs, 1)
	v := recs[0].Values
	require.Equal(t, fmt.Sprintf("acme.res_partner_%d", co), v["parent_id"])
	require.Equal(t, "base.be", v["country_id"])
	require.Equal(t, []any{fmt.Sprintf("acme.res_partner_category_%d", tag)}, v["category_id"])
	require.Nil(t, v["company_id"])
	created, ok := v["create_date"].(time.Time)
	require.True(t, ok, "a datetime is a time.Time: %#v", v["create_date"])
	require.Equal(t, time.UTC, created.Location())
	require.WithinDuration(t, time.Now(), created, time.Hour, "datetimes are UTC")

	s = o.open(t, Options{Model: "res.country", Domain: []any{[]any{"code", "in", []any{"BE", "FR", "LU"}}}, Fields: []string{"code", "currency_id"}})
	recs = scanAll(t, s, record.Position{})
	require.Len(t, recs, 3)
	for _, r := range recs {
		require.Equal(t, "base."+lower(r.Values["code"].(string)), r.Values["xmlid"])
		require.Equal(t, "base.EUR", r.Values["currency_id"])
	}
}

var errEnough = errors.New("enough")

// Every stored field of common models reads without a problem: the types
// the source expects are the ones the server sends.
func TestIntegrationRealOdooDefaultFieldsReadCleanly(t *testing.T) {
	o := realOld(t)
	models := []string{"res.partner", "res.users", "res.company", "res.currency", "res.currency.rate", "res.country",
		"res.country.state", "res.lang", "res.groups", "res.partner.bank", "product.template", "product.product",
		"product.category", "uom.uom", "account.account", "account.tax", "account.journal", "account.move",
		"account.move.line", "sale.order", "stock.location", "ir.attachment", "ir.cron", "mail.message"}
	for _, m := range models {
		t.Run(m, func(t *testing.T) {
			s, err := Open(context.Background(), o.cfg, Options{Source: "old", Namespace: "acme", Model: m, Page: 50})
			if err != nil && strings.Contains(err.Error(), "the model does not exist") {
				t.Skipf("not installed: %v", err)
			}
			require.NoError(t, err)
			n := 0
			err = s.Scan(context.Background(), record.Position{}, func(r *record.Record) error {
				require.Empty(t, r.Problem, "%s %v", r.Pos, r.Values["xmlid"])
				if n++; n == 300 {
					return errEnough
				}
				return nil
			})
			if !errors.Is(err, errEnough) {
				require.NoError(t, err)
			}
			sch, err := s.Schema(context.Background())
			require.NoError(t, err)
			t.Logf("%d records, %d columns", n, len(sch.Columns))
		})
	}
}
