package contract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo/jsonv"
	"github.com/ferry-migrate/ferry/internal/odoo/xmlrpc"
	"github.com/ferry-migrate/ferry/internal/sandbox"
)

// An exchange is one recorded request and the answer a real Odoo gave.
type exchange struct {
	Scenario string          `json:"scenario"`
	Path     string          `json:"path"`
	Request  json.RawMessage `json:"request"`
	Response json.RawMessage `json:"response"`
	Status   int             `json:"status"`
	// JSON-2 exchanges carry raw bodies and headers.
	method, auth, db string
	body             string
}

const recordedKey = "<APIKEY>"

// replaySandbox starts a sandbox whose admin credentials stand in for the
// masked ones of the recordings.
func replaySandbox(t *testing.T, version int, db string) *sandbox.Server {
	sb, err := sandbox.New(sandbox.Options{Version: version, Database: db, AdminKey: "replay-key"})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	return sb
}

func unmask(s string) string {
	return strings.NewReplacer("<password>", "admin", "&lt;password&gt;", "admin", recordedKey, "replay-key").Replace(s)
}

func TestReplayJSONRPC(t *testing.T) {
	for _, v := range []int{18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			var xs []exchange
			readJSON(t, fmt.Sprintf("testdata/odoo%d/jsonrpc-transcripts.json", v), &xs)
			sb := replaySandbox(t, v, fmt.Sprintf("peer%d", v))
			for _, x := range xs {
				status, got := post(t, sb.URL+"/jsonrpc", "application/json", unmask(string(x.Request)))
				require.Equal(t, http.StatusOK, status, x.Scenario)
				equivalentJSON(t, x.Scenario, decode(t, x.Response), decode(t, []byte(got)))
			}
		})
	}
}

func TestReplayXMLRPC(t *testing.T) {
	var xs []exchange
	readJSON(t, "testdata/odoo18/xmlrpc-transcripts.json", &xs)
	sb := replaySandbox(t, 18, "peer18")
	for _, x := range xs {
		var req, resp string
		require.NoError(t, json.Unmarshal(x.Request, &req))
		require.NoError(t, json.Unmarshal(x.Response, &resp))
		status, got := post(t, sb.URL+x.Path, "text/xml", unmask(req))
		require.Equal(t, x.Status, status, x.Scenario)
		want, wantErr := xmlrpc.DecodeResponse(strings.NewReader(resp))
		have, haveErr := xmlrpc.DecodeResponse(strings.NewReader(got))
		if wantErr != nil {
			var wf, hf *xmlrpc.Fault
			require.ErrorAs(t, wantErr, &wf, x.Scenario)
			require.ErrorAs(t, haveErr, &hf, "%s: want fault %v, got %v", x.Scenario, wantErr, have)
			require.Equal(t, wf.Code, hf.Code, x.Scenario)
			require.Equal(t, lastLine(wf.String), lastLine(hf.String), x.Scenario)
			continue
		}
		require.NoError(t, haveErr, x.Scenario)
		equivalentJSON(t, x.Scenario, want, have)
	}
}

func TestReplayJSON2(t *testing.T) {
	xs := readJSON2(t, "testdata/odoo19/json2-exchanges.txt")
	require.NotEmpty(t, xs)
	sb := replaySandbox(t, 19, "peer19")
	ids := idMap{}
	for _, x := range xs {
		status, got := send(t, x.method, sb.URL+x.Path, "application/json", x.auth, x.db, ids.rewrite(t, x.body))
		require.Equal(t, x.Status, status, "%s: %.300s", x.Scenario, got)
		if strings.HasPrefix(strings.TrimSpace(string(x.Response)), "<") {
			require.True(t, strings.HasPrefix(strings.TrimSpace(got), "<"), "%s: want an HTML page, got %s", x.Scenario, got)
			continue
		}
		want, have := decode(t, x.Response), decode(t, []byte(got))
		ids.learn(want, have)
		equivalentJSON(t, x.Scenario, want, have)
	}
}

// idMap maps the ids a recording server gave to the ids the sandbox gave
// for the same creations, so later requests name the same records.
type idMap map[int64]int64

// learn pairs the ids of create and load answers.
func (m idMap) learn(want, got any) {
	for _, k := range []string{"result", "ids"} {
		if wm, ok := want.(map[string]any); ok {
			gm, _ := got.(map[string]any)
			want, got = wm[k], gm[k]
		}
	}
	wl, ok1 := want.([]any)
	gl, ok2 := got.([]any)
	if !ok1 || !ok2 || len(wl) != len(gl) {
		return
	}
	for i := range wl {
		w, ok1 := wl[i].(int64)
		g, ok2 := gl[i].(int64)
		if ok1 && ok2 {
			m[w] = g
		}
	}
}

// rewrite replaces recorded ids in a request body: in "ids", in fields
// ending in _id, and in ["id", op, value] conditions.
func (m idMap) rewrite(t *testing.T, body string) string {
	if len(m) == 0 || !strings.HasPrefix(strings.TrimSpace(body), "{") {
		return body
	}
	v, err := jsonv.Decode([]byte(body))
	if err != nil {
		return body
	}
	b, err := json.Marshal(m.walk(v, ""))
	require.NoError(t, err)
	return string(b)
}

func (m idMap) walk(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = m.walk(e, k)
		}
	case []any:
		if key == "ids" && m.knowsSome(x) { // in a list of created ids, those the replay never saw created (a prose section of the recording) are left out
			out := []any{}
			for _, e := range x {
				if n, ok := e.(int64); ok {
					if id, known := m[n]; known {
						out = append(out, id)
					}
				}
			}
			return out
		}
		if len(x) == 3 && x[0] == "id" {
			x[2] = m.walk(x[2], "ids")
			return x
		}
		for i, e := range x {
			x[i] = m.walk(e, key)
		}
	case int64:
		if n, ok := m[x]; ok && (key == "ids" || strings.HasSuffix(key, "_id")) {
			return n
		}
	}
	return v
}

func (m idMap) knowsSome(xs []any) bool {
	for _, e := range xs {
		if n, ok := e.(int64); ok {
			if _, known := m[n]; known {
				return true
			}
		}
	}
	return false
}

// equivalentJSON: same envelope and key sets, same exception class and
// message once numbers are replaced, same shape of results.
func equivalentJSON(t *testing.T, scenario string, want, got any) {
	t.Helper()
	require.Equal(t, shape(want), shape(got), "%s: shapes differ\nwant %s\ngot  %s", scenario, compact(want), compact(got))
	we, ge := errorOf(want), errorOf(got)
	if we == nil {
		return
	}
	require.NotNil(t, ge, scenario)
	require.Equal(t, we["name"], ge["name"], scenario)
	require.Equal(t, normalize(we["message"]), normalize(ge["message"]), "%s: messages differ", scenario)
}

// errorOf finds the exception object of a JSON-RPC or JSON-2 error answer.
func errorOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	if e, ok := m["error"].(map[string]any); ok {
		d, _ := e["data"].(map[string]any)
		return d
	}
	if _, ok := m["name"]; ok && m["arguments"] != nil {
		return m
	}
	return nil
}

var digits = regexp.MustCompile(`\d+`)

// normalize replaces numbers (ids, counts, timestamps) that depend on the
// recording database.
func normalize(v any) string {
	s, _ := v.(string)
	return digits.ReplaceAllString(strings.TrimSpace(s), "N")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return normalize(lines[len(lines)-1])
}

// shape describes a value's structure: object keys (recursively), the
// shape of a list's first element, and scalar kinds. Values that are
// false-or-something in Odoo (empty fields) compare as "any".
func shape(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if k == "debug" || k == "moreinfo" {
				keys = append(keys, k)
				continue
			}
			keys = append(keys, k+":"+shape(x[k]))
		}
		sort.Strings(keys)
		return "{" + strings.Join(keys, ",") + "}"
	case []any:
		if len(x) == 0 {
			return "[]"
		}
		return "[" + shape(x[0]) + "]"
	case string, bool, nil:
		return "scalar"
	case int64, float64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 600 {
		b = append(b[:600], "…"...)
	}
	return string(b)
}

func decode(t *testing.T, b []byte) any {
	v, err := jsonv.Decode(b)
	require.NoError(t, err, "%.200s", b)
	return v
}

func readJSON(t *testing.T, path string, v any) {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}

func post(t *testing.T, url, ctype, body string) (int, string) {
	return send(t, http.MethodPost, url, ctype, "", "", body)
}

func send(t *testing.T, method, url, ctype, auth, db, body string) (int, string) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if ctype != "" && method == http.MethodPost {
		req.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if db != "" {
		req.Header.Set("X-Odoo-Database", db)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// readJSON2 parses the recorded JSON-2 exchanges: "## title", "> METHOD
// path", "> Header: value", "> body: …", "< HTTP status", "< body: …".
func readJSON2(t *testing.T, path string) []exchange {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []exchange
	var cur *exchange
	inBody := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "## "):
			out = append(out, exchange{Scenario: l[3:]})
			cur, inBody = &out[len(out)-1], false
		case cur == nil, strings.HasPrefix(l, "===="):
			inBody = false
		case strings.HasPrefix(l, "> POST ") || strings.HasPrefix(l, "> GET "):
			f := strings.Fields(l[2:])
			cur.method, cur.Path = f[0], f[1]
		case strings.HasPrefix(l, "> Authorization: "):
			cur.auth = unmask(strings.TrimPrefix(l, "> Authorization: "))
		case strings.HasPrefix(l, "> X-Odoo-Database: "):
			cur.db = strings.TrimPrefix(l, "> X-Odoo-Database: ")
		case strings.HasPrefix(l, "> body: "):
			cur.body = unmask(strings.TrimPrefix(l, "> body: "))
		case strings.HasPrefix(l, "< HTTP "):
			fmt.Sscanf(l, "< HTTP %d", &cur.Status)
		case strings.HasPrefix(l, "< body: "):
			cur.Response, inBody = json.RawMessage(strings.TrimPrefix(l, "< body: ")), true
		case inBody:
			cur.Response = append(cur.Response, "\n"+l...)
		}
	}
	// Keep the HTTP exchanges with a request and an answer; the
	// /xmlrpc/2 summary block is prose, not an exchange.
	var xs []exchange
	for _, x := range out {
		if x.method != "" && x.Status != 0 && !strings.HasPrefix(x.Path, "/web/webclient") {
			xs = append(xs, x)
		}
	}
	return xs
}

// Odoo echoes a JSON-RPC request's id as it came: 7 as 7 (not 7.0), a
// string as the string, null as null (checked on real Odoo 18 and 19).
func TestJSONRPCEchoesTheRequestID(t *testing.T) {
	seen := map[string]bool{}
	for _, tg := range targets(t) {
		if seen[tg.cfg.URL] {
			continue
		}
		seen[tg.cfg.URL] = true
		t.Run(tg.name, func(t *testing.T) {
			for _, id := range []string{`7`, `"call-7"`, `null`} {
				status, got := post(t, tg.cfg.URL+"/web/webclient/version_info", "application/json",
					`{"jsonrpc": "2.0", "method": "call", "params": {}, "id": `+id+`}`)
				require.Equal(t, http.StatusOK, status)
				var resp map[string]json.RawMessage
				require.NoError(t, json.Unmarshal([]byte(got), &resp))
				require.Equal(t, id, string(resp["id"]), got)
			}
		})
	}
}
