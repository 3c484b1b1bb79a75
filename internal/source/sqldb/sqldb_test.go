package sqldb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/secret"
)

func TestColumnType(t *testing.T) {
	cases := []struct {
		kind, db string
		want     record.Type
	}{
		{"postgres", "INT4", record.TypeInt},
		{"postgres", "INTERVAL", record.TypeString},
		{"postgres", "POINT", record.TypeString},
		{"postgres", "_INT4", record.TypeString},
		{"postgres", "TIME", record.TypeString},
		{"postgres", "TIMESTAMPTZ", record.TypeDateTime},
		{"postgres", "NUMERIC", record.TypeDecimal},
		{"postgres", "BYTEA", record.TypeBytes},
		{"postgres", "UUID", record.TypeString},
		{"mysql", "UNSIGNED BIGINT", record.TypeInt},
		{"mysql", "DECIMAL", record.TypeDecimal},
		{"mysql", "TIME", record.TypeString},
		{"mysql", "VARBINARY", record.TypeBytes},
		{"mysql", "DATETIME", record.TypeDateTime},
		{"sqlite", "NUMERIC(12,2)", record.TypeDecimal},
		{"sqlite", "VARCHAR(20)", record.TypeString},
		{"sqlite", "UNSIGNED BIG INT", record.TypeInt},
		{"sqlite", "BOOLEAN", record.TypeBool},
		{"sqlite", "", record.TypeUnknown},
		{"sqlite", "FLOATING POINT", record.TypeInt}, // "INT" wins, as in SQLite
		{"sqlite", "DOUBLE", record.TypeFloat},
		{"sqlite", "STRING", record.TypeDecimal}, // SQLite's NUMERIC affinity
	}
	for _, c := range cases {
		t.Run(c.kind+" "+c.db, func(t *testing.T) {
			require.Equal(t, c.want, columnType(c.kind, c.db))
		})
	}
}

func TestConvert(t *testing.T) {
	day := time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		in      any
		typ     record.Type
		want    any
		problem bool
	}{
		{"int from text", []byte("42"), record.TypeInt, int64(42), false},
		{"int32", int32(7), record.TypeInt, int64(7), false},
		{"uint64 in range", uint64(7), record.TypeInt, int64(7), false},
		{"uint64 beyond int64", uint64(1 << 63), record.TypeInt, "9223372036854775808", true},
		{"float32", float32(1.5), record.TypeFloat, 1.5, false},
		{"decimal text stays exact", []byte("1.50"), record.TypeDecimal, "1.50", false},
		{"decimal from SQLite float", 1.05, record.TypeDecimal, "1.05", false},
		{"bool from int", int64(1), record.TypeBool, true, false},
		{"bool from text", "false", record.TypeBool, false, false},
		{"date from SQLite text", "2020-01-02", record.TypeDate, day, false},
		{"bytes", []byte{1, 2}, record.TypeBytes, []byte{1, 2}, false},
		{"string from bytes", []byte("x"), record.TypeString, "x", false},
		{"null", nil, record.TypeInt, nil, false},
		{"text in an integer column", "abc", record.TypeInt, "abc", true},
		{"not a date", "garbage", record.TypeDate, "garbage", true},
		{"unknown keeps the value", int64(3), record.TypeUnknown, int64(3), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, problem := convert(c.in, c.typ)
			require.Equal(t, c.want, got)
			require.Equal(t, c.problem, problem != "", problem)
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	s := &Source{keys: []string{"big", "code", "day", "raw", "amount"},
		keyTypes: []record.Type{record.TypeInt, record.TypeString, record.TypeDateTime, record.TypeBytes, record.TypeDecimal}}
	at := time.Date(2021, 5, 6, 7, 8, 9, 123456789, time.UTC)
	cur := encodeCursor([]any{int64(9007199254740993), "a\"b", at, []byte{0, 255}, "12.50"})
	require.Equal(t, `[9007199254740993,"a\"b","2021-05-06T07:08:09.123456789Z",{"b64":"AP8="},"12.50"]`, cur)
	args, err := s.decodeCursor(cur)
	require.NoError(t, err)
	require.Equal(t, []any{int64(9007199254740993), "a\"b", at, []byte{0, 255}, "12.50"}, args, "an int beyond 2^53 stays exact")

	for _, bad := range []string{"", "[1]", "not json", `[1,"x","yesterday",null,"1"]`, `[1,"x","2021-05-06T07:08:09Z",{"x":1},"1"]`} {
		_, err := s.decodeCursor(bad)
		require.ErrorContains(t, err, "cannot resume", bad)
	}
}

func TestTransportSecurity(t *testing.T) {
	cases := []struct {
		name, kind, dsn string
		wantDSN         string // substring of the DSN used, postgres only
		wantWarning     string
		wantErr         string
	}{
		{"loopback as is", "postgres", "postgres://u:pw@127.0.0.1/db?sslmode=disable", "sslmode=disable", "", ""},
		{"localhost keyword form", "postgres", "host=localhost dbname=db", "host=localhost", "", ""},
		{"unix socket", "postgres", "host=/var/run/postgresql dbname=db", "host=/var/run/postgresql", "", ""},
		{"remote gets verified TLS", "postgres", "postgres://u:pw@db.example.com/db", "sslmode=verify-full", "", ""},
		{"remote keyword form gets verified TLS", "postgres", "host=db.example.com dbname=db", "sslmode=verify-full", "", ""},
		{"remote require kept", "postgres", "postgres://u:pw@db.example.com/db?sslmode=require", "sslmode=require", "", ""},
		{"remote explicitly unencrypted", "postgres", "postgres://u:pw@db.example.com/db?sslmode=disable", "sslmode=disable", "not encrypted (sslmode=disable in the DSN of source legacy)", ""},
		{"remote opportunistic refused", "postgres", "postgres://u:pw@db.example.com/db?sslmode=prefer", "", "", "refusing a connection to db.example.com that may fall back to plain text (sslmode=prefer in the DSN of source legacy)"},
		{"a fallback host counts", "postgres", "postgres://u:pw@127.0.0.1,db.example.com/db?sslmode=allow", "", "", "refusing a connection to db.example.com"},
		{"not a DSN", "postgres", "postgres://u:pw@[::1/db", "", "", "the DSN of source legacy is not a valid PostgreSQL DSN"},
		{"mysql loopback", "mysql", "root@tcp(127.0.0.1:3306)/test", "", "", ""},
		{"mysql remote gets TLS", "mysql", "u:pw@tcp(db.example.com:3306)/x", "", "", ""},
		{"mysql remote explicitly unencrypted", "mysql", "u:pw@tcp(db.example.com:3306)/x?tls=false", "", "not encrypted (tls=false in the DSN of source legacy)", ""},
		{"mysql remote opportunistic refused", "mysql", "u:pw@tcp(db.example.com:3306)/x?tls=preferred", "", "", "refusing a connection to db.example.com that may fall back to plain text (tls=preferred"},
		{"mysql not a DSN", "mysql", "u:pw@db.example.com/x", "", "", "the DSN of source legacy is not a valid MySQL DSN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got, warning string
			var err error
			if c.kind == "postgres" {
				got, warning, err = securePostgres("legacy", c.dsn)
			} else {
				var cfg interface{ FormatDSN() string }
				cfg, warning, err = secureMySQL("legacy", c.dsn)
				if err == nil {
					got = cfg.FormatDSN()
					require.Equal(t, c.name == "mysql remote gets TLS", strings.Contains(got, "tls=true"), got)
				}
			}
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				require.NotContains(t, err.Error(), "pw@")
				return
			}
			require.NoError(t, err)
			require.Contains(t, got, c.wantDSN)
			if c.wantWarning == "" {
				require.Empty(t, warning)
			} else {
				require.Contains(t, warning, c.wantWarning)
			}
		})
	}
}

func TestOpenRefusesBeforeConnecting(t *testing.T) {
	ctx := context.Background()
	_, err := Open(ctx, "legacy", "oracle", secret.New("x"), "t", "")
	require.ErrorContains(t, err, `source legacy: unknown database kind "oracle"`)
	_, err = Open(ctx, "legacy", "postgres", secret.New("postgres://127.0.0.1/x"), "t", "SELECT 1")
	require.ErrorContains(t, err, "name a table or a query")
	_, err = Open(ctx, "legacy", "postgres", secret.New("postgres://ferry:hunter2@db.example.com/x?sslmode=prefer"), "customers", "")
	require.ErrorContains(t, err, "source legacy: table customers: refusing a connection to db.example.com")
	require.NotContains(t, err.Error(), "hunter2")
}

func TestRedact(t *testing.T) {
	dsn := secret.New("host=db password=hunter2 user=u")
	require.Equal(t, "failed for [the DSN]", redact("failed for host=db password=hunter2 user=u", "postgres", dsn))
	require.Equal(t, "auth "+secret.Redacted+" refused", redact("auth hunter2 refused", "postgres", dsn))
	require.Equal(t, "auth "+secret.Redacted, redact("auth s3cret", "mysql", secret.New("u:s3cret@tcp(h:3306)/db")))
}
