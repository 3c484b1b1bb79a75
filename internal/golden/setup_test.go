package golden

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/sshconn/sshtest"
	"github.com/ferry-migrate/ferry/internal/testutil"
)

// setUpPostgres loads the case's postgres.sql into a fresh database,
// dropped when the test ends. GOLDEN_PG_DSN names it by address
// (127.0.0.1); GOLDEN_PG_DSN_UNENCRYPTED by 0.0.0.0 with sslmode=disable:
// a connection to 0.0.0.0 reaches this machine, yet Ferry does not count
// it as loopback, so it is a remote connection left unencrypted (SEC601).
func setUpPostgres(t *testing.T, r *run) {
	admin, err := testutil.Ping("pgx", testutil.PostgresURL())
	if err != nil {
		testutil.Unavailable(t, "PostgreSQL", err)
		return
	}
	name := testutil.UniqueName("golden")
	_, err = admin.Exec("CREATE DATABASE " + name)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		_ = admin.Close()
	})
	u, err := url.Parse(testutil.PostgresURL())
	require.NoError(t, err, "FERRY_TEST_PG must be a postgres:// URL")
	u.Path = "/" + name
	dsn := u.String()
	loadSQL(t, "pgx", dsn, filepath.Join(r.caseDir, "postgres.sql"), false)
	r.env["GOLDEN_PG_DSN"] = dsn
	plain := *u
	plain.Host = "0.0.0.0:" + portOr(u.Port(), "5432")
	q := plain.Query()
	q.Set("sslmode", "disable")
	plain.RawQuery = q.Encode()
	r.env["GOLDEN_PG_DSN_UNENCRYPTED"] = plain.String()
}

func portOr(p, def string) string {
	if p == "" {
		return def
	}
	return p
}

// setUpMySQL loads the case's mysql.sql into a fresh MariaDB database,
// dropped when the test ends; GOLDEN_MYSQL_DSN names it.
func setUpMySQL(t *testing.T, r *run) {
	admin, err := testutil.Ping("mysql", testutil.MariaDBDSN())
	if err != nil {
		testutil.Unavailable(t, "MariaDB", err)
		return
	}
	name := testutil.UniqueName("golden")
	_, err = admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4")
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name)
		_ = admin.Close()
	})
	cfg, err := mysql.ParseDSN(testutil.MariaDBDSN())
	require.NoError(t, err)
	cfg.DBName = name
	dsn := cfg.FormatDSN()
	loadSQL(t, "mysql", dsn+sep(dsn)+"multiStatements=true", filepath.Join(r.caseDir, "mysql.sql"), false)
	r.env["GOLDEN_MYSQL_DSN"] = dsn
}

func sep(dsn string) string {
	if strings.Contains(dsn, "?") {
		return "&"
	}
	return "?"
}

// setUpSQLite builds sqlite.db beside the plan from sqlite.sql.
func setUpSQLite(t *testing.T, r *run) {
	path := filepath.Join(r.caseDir, "sqlite.db")
	loadSQL(t, "sqlite", "file:"+filepath.ToSlash(path), filepath.Join(r.caseDir, "sqlite.sql"), true)
}

// loadSQL runs a SQL file; perStatement splits it on ";\n" for drivers
// that run one statement per call.
func loadSQL(t *testing.T, driver, dsn, file string, perStatement bool) {
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	defer db.Close()
	stmts := []string{string(b)}
	if perStatement {
		stmts = strings.Split(string(b), ";\n")
	}
	for _, s := range stmts {
		if strings.TrimSpace(s) == "" {
			continue
		}
		_, err := db.Exec(s)
		require.NoError(t, err, "%s: %s", filepath.Base(file), s)
	}
}

// seed is one record odoo.json creates: Ref names it for later records,
// whose values refer to it as "@ref" (a many2one) or ["@a", "@b"] (a
// many2many).
type seed struct {
	Ref    string         `json:"ref"`
	Model  string         `json:"model"`
	Values map[string]any `json:"values"`
	XMLID  string         `json:"xmlid"`
}

// setUpOdoo starts a sandbox answering as Odoo 18 and creates the
// records of odoo.json, in order.
func setUpOdoo(t *testing.T, r *run) {
	ctx := context.Background()
	sb, err := sandbox.New(sandbox.Options{Version: 18})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sb.Close() })
	c, err := odoo.Dial(ctx, odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New(sb.AdminKey())})
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(r.caseDir, "odoo.json"))
	require.NoError(t, err)
	var seeds []seed
	require.NoError(t, json.Unmarshal(b, &seeds))
	ids := map[string]int64{}
	for _, s := range seeds {
		vals := map[string]any{}
		for k, v := range s.Values {
			vals[k] = seedValue(t, v, ids)
		}
		got, err := c.Create(ctx, s.Model, []map[string]any{vals})
		require.NoError(t, err, "odoo.json: create %s %v", s.Model, s.Values)
		if s.Ref != "" {
			ids[s.Ref] = got[0]
		}
		if s.XMLID != "" {
			module, name, _ := strings.Cut(s.XMLID, ".")
			_, err := c.Create(ctx, "ir.model.data", []map[string]any{{"module": module, "name": name, "model": s.Model, "res_id": got[0]}})
			require.NoError(t, err, "odoo.json: external ID %s", s.XMLID)
		}
	}
	r.vars["ODOO_URL"], r.vars["ODOO_DB"] = sb.URL, sb.Database()
	r.env["GOLDEN_ODOO_KEY"] = sb.AdminKey()
}

func seedValue(t *testing.T, v any, ids map[string]int64) any {
	ref := func(s string) int64 {
		id, ok := ids[strings.TrimPrefix(s, "@")]
		require.True(t, ok, "odoo.json: %s is not an earlier record's ref", s)
		return id
	}
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "@") {
			return ref(x)
		}
	case []any:
		list := make([]any, 0, len(x))
		for _, e := range x {
			s, _ := e.(string)
			list = append(list, ref(s))
		}
		return []any{[]any{6, 0, list}}
	}
	return v
}

// setUpSFTP starts a loopback sshd serving a copy of the case's sftp/
// directory. The plan reads it with path: ${SFTP_URL} and
// ssh: {private_key: {file: ${SFTP_KEY}}, known_hosts: ${SFTP_KNOWN_HOSTS}}.
func setUpSFTP(t *testing.T, r *run, files string) {
	s := sshtest.Start(t)
	if s == nil {
		return
	}
	require.NoError(t, copyDir(files, s.Dir, func(string) bool { return false }))
	base := fmt.Sprintf("sftp://%s@%s", s.User, s.Addr)
	r.vars["SFTP_URL"] = base + filepath.ToSlash(s.Dir)
	r.vars["SFTP_KEY"], r.vars["SFTP_KNOWN_HOSTS"] = s.KeyFile, s.KnownHosts
	r.replace = append(r.replace, base+filepath.ToSlash(s.Dir), "sftp://$SFTP_USER@$SFTP_ADDR$SFTP_DIR",
		base, "sftp://$SFTP_USER@$SFTP_ADDR")
}
