package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const canary = "s3cr3t-CANARY-value"

type config struct {
	URL      string
	Password String
	Nested   struct{ Key String }
	Ptr      *String
}

func TestStringNeverFormatsItsValue(t *testing.T) {
	s := New(canary)
	c := config{URL: "https://x", Password: s, Ptr: &s}
	c.Nested.Key = s
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, s))
	}
	js, err := json.Marshal(c)
	require.NoError(t, err)
	outs = append(outs, string(js), fmt.Errorf("dial: %v", c).Error())
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		slog.New(h).Info("x", "cfg", c, "secret", s)
	}
	outs = append(outs, buf.String())
	for _, o := range outs {
		require.NotContains(t, o, canary)
	}
	require.Equal(t, canary, s.Reveal())
}

func TestRefResolve(t *testing.T) {
	t.Setenv("FERRY_TEST_SECRET", canary)
	got, err := Ref{Env: "FERRY_TEST_SECRET"}.Resolve()
	require.NoError(t, err)
	require.Equal(t, canary, got.Reveal())

	_, err = Ref{Env: "FERRY_TEST_UNSET_VAR"}.Resolve()
	require.ErrorContains(t, err, "FERRY_TEST_UNSET_VAR is not set")
	var coded interface{ ExitCode() int }
	require.ErrorAs(t, err, &coded)
	require.Equal(t, 2, coded.ExitCode(), "a configuration error")

	_, err = Ref{}.Resolve()
	require.ErrorIs(t, err, ErrUnset)

	path := t.TempDir() + "/pw"
	require.NoError(t, writeFile(path, canary+"\n"))
	got, err = Ref{File: path}.Resolve()
	require.NoError(t, err)
	require.Equal(t, canary, got.Reveal())
}

func TestRedactURL(t *testing.T) {
	for _, in := range []string{
		"postgres://bob:" + canary + "@db:5432/x?sslmode=require",
		"host=db user=bob password=" + canary + " dbname=x",
		"host=db password='" + canary + "'",
		"bob:" + canary + "@tcp(db:3306)/x",
		"Server=db;Pwd=" + canary + ";",
	} {
		out := RedactURL(in)
		require.NotContains(t, out, canary, in)
		require.True(t, strings.Contains(out, "xxxxx"), out)
	}
}
