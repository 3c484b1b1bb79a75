package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ferry-migrate/ferry/internal/odoo/xmlrpc"
	"github.com/ferry-migrate/ferry/internal/sandbox"
)

// accessExchange is one call recorded from a real Odoo as admin or as
// tester, an internal user without administration rights (see
// testdata/odoo*/access-exchanges.json). The replay makes the same call
// as the same kind of user and wants the same answer: errors word for word
// (<user> and <uid> standing for the user), results of the same shape, or
// equal when Exact.
type accessExchange struct {
	Scenario string          `json:"scenario"`
	Protocol string          `json:"protocol"` // jsonrpc, xmlrpc, json2
	User     string          `json:"user"`
	Model    string          `json:"model"`
	Method   string          `json:"method"`
	Args     json.RawMessage `json:"args"`
	Kwargs   json.RawMessage `json:"kwargs"`
	Exact    bool            `json:"exact"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response"`
}

// accessUser is a sandbox login standing for a recorded one.
type accessUser struct {
	password, key string
	uid           int64
}

func TestReplayAccess(t *testing.T) {
	for _, v := range []int{18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			var doc struct {
				Exchanges []accessExchange `json:"exchanges"`
			}
			readJSON(t, fmt.Sprintf("testdata/odoo%d/access-exchanges.json", v), &doc)
			require.NotEmpty(t, doc.Exchanges)
			sb, err := sandbox.New(sandbox.Options{Version: v, AdminKey: "admin-key",
				Users: []sandbox.User{{Login: "tester", Password: "tester-pw", APIKey: "tester-key", Restricted: true}}})
			require.NoError(t, err)
			t.Cleanup(func() { sb.Close() })
			users := map[string]*accessUser{"admin": {password: "admin", key: "admin-key"}, "tester": {password: "tester-pw", key: "tester-key"}}
			for login, u := range users {
				u.uid = loginUID(t, sb, login, u.password)
			}
			unmask := strings.NewReplacer("<user>", "tester", "<uid>", fmt.Sprint(users["tester"].uid))
			for _, x := range doc.Exchanges {
				x.Response = json.RawMessage(unmask.Replace(string(x.Response)))
				u := users[x.User]
				switch x.Protocol {
				case "jsonrpc":
					replayJSONRPC(t, sb, u, x)
				case "xmlrpc":
					replayXMLRPC(t, sb, u, x)
				case "json2":
					replayJSON2(t, sb, u, x)
				}
			}
		})
	}
}

func loginUID(t *testing.T, sb *sandbox.Server, login, password string) int64 {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "call", "id": 1,
		"params": map[string]any{"service": "common", "method": "login", "args": []any{sb.Database(), login, password}}})
	_, got := post(t, sb.URL+"/jsonrpc", "application/json", string(body))
	resp := decode(t, []byte(got)).(map[string]any)
	uid, ok := resp["result"].(int64)
	require.True(t, ok, "login %s: %s", login, got)
	return uid
}

func replayJSONRPC(t *testing.T, sb *sandbox.Server, u *accessUser, x accessExchange) {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "call", "id": 1, "params": map[string]any{
		"service": "object", "method": "execute_kw", "args": []any{sb.Database(), u.uid, u.password, x.Model, x.Method, x.Args, x.Kwargs}}}) // raw JSON, as recorded
	require.NoError(t, err)
	status, got := post(t, sb.URL+"/jsonrpc", "application/json", string(body))
	require.Equal(t, x.Status, status, x.Scenario)
	want, have := decode(t, x.Response).(map[string]any), decode(t, []byte(got)).(map[string]any)
	if we, ok := want["error"].(map[string]any); ok {
		he, _ := have["error"].(map[string]any)
		require.NotNil(t, he, "%s: want an error, got %s", x.Scenario, got)
		require.Equal(t, we["code"], he["code"], x.Scenario)
		require.Equal(t, we["message"], he["message"], x.Scenario)
		sameException(t, x.Scenario, we["data"], he["data"])
		return
	}
	sameResult(t, x, want["result"], have["result"])
}

func replayXMLRPC(t *testing.T, sb *sandbox.Server, u *accessUser, x accessExchange) {
	var req bytes.Buffer
	require.NoError(t, xmlrpc.Encoder{}.Call(&req, "execute_kw", sb.Database(), u.uid, u.password, x.Model, x.Method, decode(t, x.Args), decode(t, x.Kwargs)))
	status, got := post(t, sb.URL+"/xmlrpc/2/object", "text/xml", req.String())
	require.Equal(t, x.Status, status, x.Scenario)
	var want struct {
		Fault  int    `json:"fault"`
		String string `json:"string"`
		Result any    `json:"result"`
	}
	require.NoError(t, json.Unmarshal(x.Response, &want))
	have, err := xmlrpc.DecodeResponse(strings.NewReader(got))
	if want.Fault != 0 {
		var f *xmlrpc.Fault
		require.ErrorAs(t, err, &f, "%s: want fault %d, got %v", x.Scenario, want.Fault, have)
		require.Equal(t, want.Fault, f.Code, x.Scenario)
		require.Equal(t, want.String, f.String, x.Scenario)
		return
	}
	require.NoError(t, err, x.Scenario)
	sameResult(t, x, decode(t, mustJSON(t, want.Result)), have)
}

func replayJSON2(t *testing.T, sb *sandbox.Server, u *accessUser, x accessExchange) {
	status, got := send(t, http.MethodPost, fmt.Sprintf("%s/json/2/%s/%s", sb.URL, x.Model, x.Method), "application/json", "bearer "+u.key, sb.Database(), string(x.Kwargs))
	require.Equal(t, x.Status, status, "%s: %s", x.Scenario, got)
	want, have := decode(t, x.Response), decode(t, []byte(got))
	if status != http.StatusOK {
		sameException(t, x.Scenario, want, have)
		return
	}
	sameResult(t, x, want, have)
}

// sameException compares Odoo's exception objects: same keys, the same
// class, message, args and context.
func sameException(t *testing.T, scenario string, want, have any) {
	t.Helper()
	w, h := want.(map[string]any), have.(map[string]any)
	require.Equal(t, shape(w), shape(h), scenario)
	for _, k := range []string{"name", "message", "arguments", "context"} {
		require.Equal(t, w[k], h[k], "%s: %s", scenario, k)
	}
}

func sameResult(t *testing.T, x accessExchange, want, have any) {
	t.Helper()
	if x.Exact {
		require.Equal(t, want, have, x.Scenario)
		return
	}
	require.Equal(t, shape(want), shape(have), "%s\nwant %s\ngot  %s", x.Scenario, compact(want), compact(have))
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
