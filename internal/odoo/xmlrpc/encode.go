package xmlrpc

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ErrNone is returned when a value holds nil and the encoder is told, as
// Odoo's server is, that None cannot be marshalled.
var ErrNone = errors.New("cannot marshal None unless allow_none is enabled")

// Encoder writes values. AllowNone writes nil as <nil/>; otherwise nil is
// ErrNone (Odoo's server side).
type Encoder struct {
	AllowNone bool
}

// Call writes a methodCall.
func (e Encoder) Call(w io.Writer, method string, params ...any) error {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\"?>\n<methodCall>\n<methodName>")
	escape(&b, method)
	b.WriteString("</methodName>\n<params>\n")
	for _, p := range params {
		b.WriteString("<param>\n")
		if err := e.value(&b, p); err != nil {
			return err
		}
		b.WriteString("\n</param>\n")
	}
	b.WriteString("</params>\n</methodCall>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// Response writes a methodResponse holding v.
func (e Encoder) Response(w io.Writer, v any) error {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n")
	if err := e.value(&b, v); err != nil {
		return err
	}
	b.WriteString("\n</param>\n</params>\n\n</methodResponse>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// Fault writes a methodResponse fault.
func (e Encoder) Fault(w io.Writer, code int, msg string) error {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\"?>\n<methodResponse>\n<fault>\n")
	_ = e.value(&b, map[string]any{"faultCode": int64(code), "faultString": msg})
	b.WriteString("\n</fault>\n</methodResponse>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func (e Encoder) value(b *bytes.Buffer, v any) error {
	b.WriteString("<value>")
	if err := e.inner(b, v); err != nil {
		return err
	}
	b.WriteString("</value>")
	return nil
}

func (e Encoder) inner(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		if !e.AllowNone {
			return ErrNone
		}
		b.WriteString("<nil/>")
	case bool:
		if x {
			b.WriteString("<boolean>1</boolean>")
		} else {
			b.WriteString("<boolean>0</boolean>")
		}
	case int:
		return e.inner(b, int64(x))
	case int64:
		if x > math.MaxInt32 || x < math.MinInt32 {
			return fmt.Errorf("int exceeds XML-RPC limits: %d", x)
		}
		b.WriteString("<int>" + strconv.FormatInt(x, 10) + "</int>")
	case float64:
		b.WriteString("<double>" + strconv.FormatFloat(x, 'f', -1, 64) + "</double>")
	case string:
		b.WriteString("<string>")
		escape(b, x)
		b.WriteString("</string>")
	case []byte:
		b.WriteString("<base64>" + base64.StdEncoding.EncodeToString(x) + "</base64>")
	case []any:
		return e.array(b, x)
	case []string:
		return e.array(b, anySlice(x))
	case []int64:
		return e.array(b, anySlice(x))
	case map[string]any:
		return e.structure(b, x)
	default:
		return fmt.Errorf("xmlrpc: cannot marshal %T", v)
	}
	return nil
}

func anySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func (e Encoder) array(b *bytes.Buffer, xs []any) error {
	b.WriteString("<array><data>\n")
	for _, x := range xs {
		if err := e.value(b, x); err != nil {
			return err
		}
		b.WriteString("\n")
	}
	b.WriteString("</data></array>")
	return nil
}

func (e Encoder) structure(b *bytes.Buffer, m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("<struct>\n")
	for _, k := range keys {
		b.WriteString("<member>\n<name>")
		escape(b, k)
		b.WriteString("</name>\n")
		if err := e.value(b, m[k]); err != nil {
			return err
		}
		b.WriteString("\n</member>\n")
	}
	b.WriteString("</struct>")
	return nil
}

var replacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(b *bytes.Buffer, s string) { _, _ = replacer.WriteString(b, s) }
