package sandbox

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo/xmlrpc"
	"github.com/ferry-migrate/ferry/internal/sandbox/orm"
)

// serveXMLRPC answers /xmlrpc/2/{common,object}. Faults travel with HTTP
// 200, as in Odoo.
func (s *Server) serveXMLRPC(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		notFoundPage(w, r)
		return
	}
	method, params, err := xmlrpc.DecodeCall(r.Body)
	if err != nil {
		s.writeFault(w, &orm.Exception{Class: "xml.parsers.expat.ExpatError", Message: err.Error()})
		return
	}
	var res any
	switch strings.TrimPrefix(r.URL.Path, "/xmlrpc/2/") {
	case "common":
		res, err = s.common(method, params)
	case "object":
		res, err = s.object(method, params)
	default:
		notFoundPage(w, r)
		return
	}
	if err != nil {
		s.writeFault(w, asException(err))
		return
	}
	s.writeXML(w, res)
}

// writeXML marshals a result; what XML-RPC cannot carry (None, a dict with
// integer keys) becomes the fault Odoo sends after the call has committed.
func (s *Server) writeXML(w http.ResponseWriter, res any) {
	if _, none := res.(orm.None); none {
		res = nil
	}
	var b bytes.Buffer
	if err := (xmlrpc.Encoder{}).Response(&b, res); err != nil {
		msg := err.Error()
		if strings.Contains(msg, "map[int64]") {
			msg = "dictionary key must be string"
		}
		s.writeFault(w, &orm.Exception{Class: orm.TypeError, Message: msg})
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

func (s *Server) writeFault(w http.ResponseWriter, e *orm.Exception) {
	code := faultCode(e.Class)
	msg := e.Message
	if code == 1 {
		msg = debug(e)
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_ = (xmlrpc.Encoder{}).Fault(w, code, msg)
}
