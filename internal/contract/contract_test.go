package contract

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// target is one server the suite runs against, with the users it logs in
// as: cfg the suite's user, admin an administrator (Settings) and
// restricted an internal user without administration rights (the access
// checks; a zero Login when not configured).
type target struct {
	name       string
	cfg        odoo.Config
	admin      odoo.Config
	restricted odoo.Config
	sb         *sandbox.Server // nil for a real Odoo
}

const testerTZ = "Europe/Brussels"

// targets returns the sandbox in 18 and 19 modes (each over every
// transport it offers) and, when configured, a real Odoo.
func targets(t *testing.T) []target {
	var out []target
	for _, v := range []int{18, 19} {
		key := func(login string) string { return fmt.Sprintf("%s-key-%d", login, v) }
		sb, err := sandbox.New(sandbox.Options{Version: v, AdminKey: key("admin"), Users: []sandbox.User{
			{Login: "tester", Password: "tester-pw", APIKey: key("tester"), TZ: testerTZ},
			{Login: "clerk", Password: "clerk-pw", APIKey: key("clerk"), TZ: testerTZ, Restricted: true}}})
		require.NoError(t, err)
		t.Cleanup(func() { sb.Close() })
		user := func(login, password string, tr odoo.Transport) odoo.Config {
			c := odoo.Config{URL: sb.URL, Database: sb.Database(), Login: login, Password: secret.New(password), Transport: tr}
			if tr == odoo.JSON2 {
				c.Password, c.APIKey = secret.String{}, secret.New(key(login))
			}
			return c
		}
		trs := []odoo.Transport{odoo.XMLRPC, odoo.JSONRPC}
		if v >= 19 {
			trs = append(trs, odoo.JSON2)
		}
		for _, tr := range trs {
			out = append(out, target{name: fmt.Sprintf("sandbox%d/%s", v, tr), sb: sb, cfg: user("tester", "tester-pw", tr),
				admin: user("admin", "admin", tr), restricted: user("clerk", "clerk-pw", tr)})
		}
	}
	if url := os.Getenv("FERRY_TEST_ODOO_URL"); url != "" {
		out = append(out, target{name: "odoo", cfg: envConfig(url, ""), admin: envConfig(url, "ADMIN_"), restricted: envConfig(url, "RESTRICTED_")})
	} else {
		t.Log("real Odoo not tested: set FERRY_TEST_ODOO_URL, _DB, _LOGIN and _PASSWORD or _API_KEY")
	}
	return out
}

// envConfig reads FERRY_TEST_ODOO_<role>LOGIN, _PASSWORD and _API_KEY.
func envConfig(url, role string) odoo.Config {
	env := func(k string) string { return os.Getenv("FERRY_TEST_ODOO_" + role + k) }
	return odoo.Config{URL: url, Database: os.Getenv("FERRY_TEST_ODOO_DB"), Login: env("LOGIN"),
		Password: secret.New(env("PASSWORD")), APIKey: secret.New(env("API_KEY"))}
}

// each runs fn against every target with a connected client.
func each(t *testing.T, fn func(t *testing.T, tg target, c *odoo.Client)) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			c, err := odoo.Dial(ctx, tg.cfg)
			require.NoError(t, err)
			c.SetBackoff(time.Millisecond)
			fn(t, tg, c)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// tag makes names unique per run, so a real database can be reused.
func tag(t *testing.T) string {
	return strings.NewReplacer("/", "_", " ", "_").Replace(fmt.Sprintf("%s_%d", t.Name(), time.Now().UnixNano()%1e9))
}

func TestDialReportsVersionTransportAndUser(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		require.Positive(t, c.UID())
		if tg.sb != nil {
			require.Equal(t, tg.sb.Version(), c.Version().Major)
			want := tg.cfg.Transport
			if want == odoo.Auto {
				want = odoo.JSON2
			}
			require.Equal(t, want, c.Transport())
		}
		users, err := c.Read(ctx(t), "res.users", []int64{c.UID()}, []string{"tz", "login"})
		require.NoError(t, err)
		require.Len(t, users, 1)
		require.NotEqual(t, "UTC", users[0]["tz"], "run the suite as a user whose tz is not UTC")
	})
}

func TestWrongPasswordIsAuth(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			cfg := tg.cfg
			if !cfg.APIKey.IsZero() {
				cfg.APIKey = secret.New("not-the-key")
			} else {
				cfg.Password = secret.New("not-the-password")
			}
			_, err := odoo.Dial(ctx(t), cfg)
			require.Error(t, err)
			require.True(t, odoo.IsKind(err, odoo.KindAuth), "%v", err)
			require.NotContains(t, err.Error(), "not-the-")
		})
	}
}

func TestCreateReadWriteUnlink(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		name := "Contract " + tag(t)
		ids, err := c.Create(ctx(t), "res.partner", []map[string]any{{"name": name, "is_company": true, "email": "c@example.com"}, {"name": name + " child"}})
		require.NoError(t, err)
		require.Len(t, ids, 2)
		defer func() { _ = c.Unlink(ctx(t), "res.partner", ids) }()
		require.NoError(t, c.Write(ctx(t), "res.partner", ids[1:], map[string]any{"parent_id": ids[0], "phone": " +32 2 000 00 00 "}))
		recs, err := c.Read(ctx(t), "res.partner", ids, []string{"name", "parent_id", "phone", "is_company", "color", "credit_limit"})
		require.NoError(t, err)
		require.Len(t, recs, 2)
		require.Equal(t, false, recs[0]["parent_id"], "an empty many2one reads back as false")
		require.Equal(t, false, recs[0]["phone"], "an empty char reads back as false")
		require.Equal(t, []any{ids[0], name}, recs[1]["parent_id"], "a many2one reads back as [id, display_name]")
		require.Equal(t, " +32 2 000 00 00 ", recs[1]["phone"], "chars are stored as sent over RPC")
		require.Equal(t, int64(0), recs[0]["color"])
		n, err := c.SearchCount(ctx(t), "res.partner", odoo.Domain{[]any{"name", "=like", name + "%"}})
		require.NoError(t, err)
		require.Equal(t, int64(2), n)
		require.NoError(t, c.Unlink(ctx(t), "res.partner", ids))
		recs, err = c.Read(ctx(t), "res.partner", ids, []string{"name"})
		require.NoError(t, err)
		require.Empty(t, recs, "reading deleted records gives an empty list")
	})
}

func TestErrorsAreClassified(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		cases := []struct {
			name   string
			call   func() error
			kind   odoo.Kind
			class  string
			substr string
		}{
			{"unknown model", func() error { _, err := c.Search(ctx(t), "no.such.model", nil, odoo.Page{}); return err }, odoo.KindNotFound, "", "no.such.model"},
			{"unknown method", func() error { _, err := c.Execute(ctx(t), "res.partner", "no_such_method", []any{}, nil); return err }, odoo.KindNotFound, "", "no_such_method"},
			{"private method", func() error { _, err := c.Execute(ctx(t), "res.partner", "_search", []any{[]any{}}, nil); return err }, odoo.KindAccess, "odoo.exceptions.AccessError", "Private methods"},
			{"missing record", func() error { return c.Write(ctx(t), "res.partner", []int64{999999999}, map[string]any{"name": "x"}) }, odoo.KindMissing, "odoo.exceptions.MissingError", "Record does not exist or has been deleted."},
			{"bad selection", func() error {
				_, err := c.Create(ctx(t), "res.partner", []map[string]any{{"name": "x", "type": "nonsense"}})
				return err
			}, odoo.KindServer, "builtins.ValueError", "Wrong value for res.partner.type: 'nonsense'"},
			{"unknown field", func() error {
				_, err := c.Create(ctx(t), "res.partner", []map[string]any{{"name": "x", "no_such_field": 1}})
				return err
			}, odoo.KindServer, "builtins.ValueError", "Invalid field 'no_such_field'"},
			{"bad domain", func() error {
				_, err := c.Search(ctx(t), "res.partner", odoo.Domain{[]any{"no_such_field", "=", 1}}, odoo.Page{})
				return err
			}, odoo.KindServer, "builtins.ValueError", "no_such_field"},
		}
		for _, cs := range cases {
			err := cs.call()
			require.Error(t, err, cs.name)
			var e *odoo.Error
			require.ErrorAs(t, err, &e, cs.name)
			require.Equal(t, cs.kind, e.Kind, "%s: %v", cs.name, err)
			if cs.class != "" {
				require.Equal(t, cs.class, e.Class, cs.name)
			}
			require.Contains(t, e.Message, cs.substr, cs.name)
			require.False(t, e.Retryable(), cs.name)
		}
	})
}

func TestLoadCreatesThenUpdatesByExternalID(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		x := "ferry_contract." + tag(t)
		res, err := c.Load(ctx(t), "res.partner", []string{"id", "name", "email", "country_id", "is_company"},
			[][]string{{x + "_p1", "Load One", "one@example.com", "BE", "1"}, {x + "_p2", "Load Two", "", "", "0"}}, nil)
		require.NoError(t, err)
		require.False(t, res.RolledBack, "%+v", res.Messages)
		require.Len(t, res.IDs, 2)
		defer func() { _ = c.Unlink(ctx(t), "res.partner", res.IDs) }()
		again, err := c.Load(ctx(t), "res.partner", []string{"id", "name", "parent_id/id"}, [][]string{{x + "_p2", "Load Two Renamed", x + "_p1"}}, nil)
		require.NoError(t, err)
		require.Equal(t, res.IDs[1:], again.IDs, "the same external ID updates the same record")
		recs, err := c.Read(ctx(t), "res.partner", res.IDs, []string{"name", "email", "country_id", "parent_id"})
		require.NoError(t, err)
		require.Equal(t, "Load Two Renamed", recs[1]["name"])
		require.Equal(t, false, recs[1]["email"], "load stores an empty cell as empty")
		require.Equal(t, res.IDs[0], recs[1]["parent_id"].([]any)[0])
		country := recs[0]["country_id"].([]any)
		require.Equal(t, "Belgium", country[1], "a relation cell is matched by name or code the way Odoo does")
		xml, err := c.ExternalIDs(ctx(t), "res.partner", res.IDs)
		require.NoError(t, err)
		require.Equal(t, x+"_p1", xml[res.IDs[0]])
		m, id, err := c.Resolve(ctx(t), x+"_p2")
		require.NoError(t, err)
		require.Equal(t, "res.partner", m)
		require.Equal(t, res.IDs[1], id)
	})
}

func TestLoadRollsBackTheWholeBatchOnOneBadRow(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		x := "ferry_contract." + tag(t)
		res, err := c.Load(ctx(t), "res.partner", []string{"id", "name", "type"},
			[][]string{{x + "_good", "Good Row", "contact"}, {x + "_bad", "Bad Row", "nonsense"}, {x + "_good2", "Good Row 2", "invoice"}}, nil)
		require.NoError(t, err)
		require.True(t, res.RolledBack)
		require.Nil(t, res.IDs)
		errs := res.Errors()
		require.Len(t, errs, 1)
		require.Equal(t, 1, errs[0].From)
		require.Equal(t, 1, errs[0].To)
		require.Equal(t, "type", errs[0].Field)
		require.Equal(t, "Value 'nonsense' not found in selection field 'Address Type'", errs[0].Message)
		n, err := c.SearchCount(ctx(t), "res.partner", odoo.Domain{[]any{"name", "in", []any{"Good Row", "Good Row 2"}}})
		require.NoError(t, err)
		if tg.sb != nil {
			require.Zero(t, n, "nothing of a rolled-back batch remains")
		}
	})
}

func TestLoadDatetimeIsUTCWhateverTheUserTZ(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		if _, err := c.FieldsGet(ctx(t), "sale.order", []string{"type"}); tg.sb == nil && odoo.IsKind(err, odoo.KindNotFound) {
			t.Skip("the Sales app is not installed on this database")
		}
		x := "ferry_contract." + tag(t)
		partner, err := c.Create(ctx(t), "res.partner", []map[string]any{{"name": "TZ " + x}})
		require.NoError(t, err)
		res, err := c.Load(ctx(t), "sale.order", []string{"id", "partner_id/.id", "date_order"},
			[][]string{{x + "_so", fmt.Sprint(partner[0]), "2024-07-01 12:00:00"}}, nil)
		require.NoError(t, err)
		require.False(t, res.RolledBack, "%+v", res.Messages)
		recs, err := c.Read(ctx(t), "sale.order", res.IDs, []string{"date_order"})
		require.NoError(t, err)
		require.Equal(t, "2024-07-01 12:00:00", recs[0]["date_order"], "the client sends tz UTC, so the value is stored as sent")
		_ = c.Unlink(ctx(t), "sale.order", res.IDs)
		_ = c.Unlink(ctx(t), "res.partner", partner)
	})
}

func TestEachPagesByID(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		var got []int64
		err := c.Each(ctx(t), "res.country", odoo.Domain{[]any{"code", "in", []any{"BE", "FR", "DE", "NL", "LU", "IT", "ES"}}}, []string{"code"}, 3, func(r map[string]any) error {
			got = append(got, r["id"].(int64))
			return nil
		})
		require.NoError(t, err)
		require.Len(t, got, 7)
		for i := 1; i < len(got); i++ {
			require.Less(t, got[i-1], got[i])
		}
	})
}

func TestNameSearchAndReadGroup(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		pairs, err := c.NameSearch(ctx(t), "res.country", "Belg", 5)
		require.NoError(t, err)
		require.Len(t, pairs, 1)
		require.Equal(t, "Belgium", pairs[0].Name)
		groups, err := c.ReadGroup(ctx(t), "res.country", odoo.Domain{[]any{"code", "in", []any{"BE", "FR"}}}, []string{"id:count"}, []string{"currency_id"})
		require.NoError(t, err)
		require.Len(t, groups, 1, "Belgium and France share the euro")
	})
}

func TestFieldsGetDescribesFields(t *testing.T) {
	each(t, func(t *testing.T, tg target, c *odoo.Client) {
		f, err := c.FieldsGet(ctx(t), "res.partner", []string{"type", "relation", "required"})
		require.NoError(t, err)
		require.Equal(t, "many2one", f["country_id"]["type"])
		require.Equal(t, "res.country", f["country_id"]["relation"])
		require.Equal(t, "char", f["name"]["type"])
	})
}
