package sandbox

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/ferry-migrate/ferry/internal/odoo/jsonv"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
)

// serveJSONRPC answers /jsonrpc: {"params": {"service", "method", "args"}}.
func (s *Server) serveJSONRPC(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		notFoundPage(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var req struct {
		Params struct {
			Service string `json:"service"`
			Method  string `json:"method"`
			Args    []any  `json:"args"`
		} `json:"params"`
	}
	if !isJSONContent(r) {
		http.Error(w, "Request inferred type is compatible with ['http'] but '/jsonrpc' is type=json.", http.StatusUnsupportedMediaType)
		return
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "Invalid JSON data", http.StatusBadRequest)
		return
	}
	id, args := decodeRequest(body)
	var res any
	switch req.Params.Service {
	case "common":
		res, err = s.common(req.Params.Method, args)
	case "object":
		res, err = s.object(req.Params.Method, args)
	default:
		err = &orm.Exception{Class: orm.KeyError, Message: "'" + req.Params.Service + "'"}
	}
	s.writeJSONRPC(w, id, res, err)
}

// decodeRequest re-reads a request's id and params.args keeping integers
// exact: Odoo echoes an id of 1 as 1, not 1.0.
func decodeRequest(body []byte) (id any, args []any) {
	v, _ := jsonv.Decode(body)
	m, _ := v.(map[string]any)
	p, _ := m["params"].(map[string]any)
	args, _ = p["args"].([]any)
	return m["id"], args
}

func (s *Server) writeJSONRPC(w http.ResponseWriter, id, res any, err error) {
	out := ordered{{"jsonrpc", "2.0"}, {"id", id}}
	if err != nil {
		out = append(out, kv{"error", s.jsonRPCError(asException(err))})
	} else if _, none := res.(orm.None); !none && res != nil {
		out = append(out, kv{"result", res}) // None: Odoo leaves "result" out
	}
	writeJSON(w, http.StatusOK, out)
}

// jsonRPCError is Odoo's error object: code 200 on 16–18, 0 on 19; data
// keys in the version's order.
func (s *Server) jsonRPCError(e *orm.Exception) ordered {
	code := int64(200)
	if s.opts.Version >= 19 {
		code = 0
	}
	var data ordered
	if s.opts.Version >= 19 {
		data = ordered{{"name", e.Class}, {"message", e.Message}, {"arguments", args(e)}, {"context", map[string]any{}}, {"debug", debug(e)}}
	} else {
		data = ordered{{"name", e.Class}, {"debug", debug(e)}, {"message", e.Message}, {"arguments", args(e)}, {"context", map[string]any{}}}
	}
	return ordered{{"code", code}, {"message", "Odoo Server Error"}, {"data", data}}
}

// serveVersionInfo answers the JSON-RPC route /web/webclient/version_info.
func (s *Server) serveVersionInfo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, _ := decodeRequest(body)
	s.writeJSONRPC(w, id, s.versionInfo(), nil)
}
