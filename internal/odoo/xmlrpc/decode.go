package xmlrpc

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Fault is an XML-RPC fault as the server sent it.
type Fault struct {
	Code   int
	String string
}

func (f *Fault) Error() string { return fmt.Sprintf("fault %d: %s", f.Code, f.String) }

// ErrNotXML is wrapped by decoding errors when the body is not XML-RPC at
// all (an HTML page, for instance).
var ErrNotXML = errors.New("not an XML-RPC message")

// DecodeResponse reads a methodResponse: the value, or a *Fault as error.
func DecodeResponse(r io.Reader) (any, error) {
	d := newDecoder(r)
	if err := d.expect("methodResponse"); err != nil {
		return nil, err
	}
	tag, err := d.nextStart()
	if err != nil {
		return nil, err
	}
	switch tag {
	case "params":
		if err := d.expect("param"); err != nil {
			return nil, err
		}
		return d.valueAfterStart()
	case "fault":
		v, err := d.valueAfterStart()
		if err != nil {
			return nil, err
		}
		return nil, faultOf(v)
	}
	return nil, fmt.Errorf("xmlrpc: unexpected <%s> in methodResponse", tag)
}

func faultOf(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("xmlrpc: fault is a %T, not a struct", v)
	}
	f := &Fault{}
	switch c := m["faultCode"].(type) {
	case int64:
		f.Code = int(c)
	case string: // legacy /xmlrpc endpoints send string codes
		f.String = c + "\n"
	}
	s, _ := m["faultString"].(string)
	f.String += s
	return f
}

// DecodeCall reads a methodCall: the method name and its parameters.
func DecodeCall(r io.Reader) (string, []any, error) {
	d := newDecoder(r)
	if err := d.expect("methodCall"); err != nil {
		return "", nil, err
	}
	if err := d.expect("methodName"); err != nil {
		return "", nil, err
	}
	name, err := d.text()
	if err != nil {
		return "", nil, err
	}
	var params []any
	for {
		tag, err := d.nextStart()
		if errors.Is(err, io.EOF) {
			return strings.TrimSpace(name), params, nil
		}
		if err != nil {
			return "", nil, err
		}
		if tag == "param" {
			v, err := d.valueAfterStart()
			if err != nil {
				return "", nil, err
			}
			params = append(params, v)
		}
	}
}

type decoder struct{ x *xml.Decoder }

func newDecoder(r io.Reader) *decoder {
	x := xml.NewDecoder(r)
	x.Strict = true
	return &decoder{x: x}
}

// nextStart returns the name of the next start element.
func (d *decoder) nextStart() (string, error) {
	for {
		t, err := d.x.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", io.EOF
			}
			return "", fmt.Errorf("%w: %v", ErrNotXML, err)
		}
		if s, ok := t.(xml.StartElement); ok {
			return s.Name.Local, nil
		}
	}
}

func (d *decoder) expect(tag string) error {
	got, err := d.nextStart()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: no <%s>", ErrNotXML, tag)
	}
	if err != nil {
		return err
	}
	if got != tag {
		return fmt.Errorf("%w: <%s> where <%s> was expected", ErrNotXML, got, tag)
	}
	return nil
}

// text reads character data up to the end of the current element.
func (d *decoder) text() (string, error) {
	var b strings.Builder
	for {
		t, err := d.x.Token()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrNotXML, err)
		}
		switch x := t.(type) {
		case xml.CharData:
			b.Write(x)
		case xml.EndElement:
			return b.String(), nil
		case xml.StartElement:
			return "", fmt.Errorf("xmlrpc: unexpected <%s> in text", x.Name.Local)
		}
	}
}

// valueAfterStart reads the next <value> element and decodes it.
func (d *decoder) valueAfterStart() (any, error) {
	if err := d.expect("value"); err != nil {
		return nil, err
	}
	return d.value()
}

// value decodes the inside of a <value> whose start was consumed, and
// consumes its end.
func (d *decoder) value() (any, error) {
	var text strings.Builder
	for {
		t, err := d.x.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotXML, err)
		}
		switch x := t.(type) {
		case xml.CharData:
			text.Write(x)
		case xml.EndElement: // untyped <value>text</value> is a string
			return text.String(), nil
		case xml.StartElement:
			v, err := d.typed(x.Name.Local)
			if err != nil {
				return nil, err
			}
			return v, d.skipToEnd()
		}
	}
}

func (d *decoder) skipToEnd() error {
	for {
		t, err := d.x.Token()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNotXML, err)
		}
		if _, ok := t.(xml.EndElement); ok {
			return nil
		}
	}
}

func (d *decoder) typed(tag string) (any, error) {
	switch tag {
	case "array":
		return d.array()
	case "struct":
		return d.structure()
	case "nil":
		return nil, d.skipToEnd()
	}
	s, err := d.text()
	if err != nil {
		return nil, err
	}
	return scalar(tag, s)
}

func scalar(tag, s string) (any, error) {
	switch tag {
	case "int", "i4", "i8":
		return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	case "boolean":
		switch strings.TrimSpace(s) {
		case "1":
			return true, nil
		case "0":
			return false, nil
		}
		return nil, fmt.Errorf("xmlrpc: bad boolean %q", s)
	case "double":
		return strconv.ParseFloat(strings.TrimSpace(s), 64)
	case "string", "dateTime.iso8601":
		return s, nil
	case "base64":
		return base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	}
	return nil, fmt.Errorf("xmlrpc: unknown type <%s>", tag)
}

func (d *decoder) array() (any, error) {
	if err := d.expect("data"); err != nil {
		return nil, err
	}
	out := []any{}
	for {
		t, err := d.x.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotXML, err)
		}
		switch x := t.(type) {
		case xml.StartElement:
			if x.Name.Local != "value" {
				return nil, fmt.Errorf("xmlrpc: <%s> in array", x.Name.Local)
			}
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		case xml.EndElement: // </data>
			return out, d.skipToEnd()
		}
	}
}

func (d *decoder) structure() (any, error) {
	out := map[string]any{}
	for {
		t, err := d.x.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotXML, err)
		}
		switch x := t.(type) {
		case xml.StartElement:
			if x.Name.Local != "member" {
				return nil, fmt.Errorf("xmlrpc: <%s> in struct", x.Name.Local)
			}
			k, v, err := d.member()
			if err != nil {
				return nil, err
			}
			out[k] = v
		case xml.EndElement:
			return out, nil
		}
	}
}

func (d *decoder) member() (string, any, error) {
	if err := d.expect("name"); err != nil {
		return "", nil, err
	}
	k, err := d.text()
	if err != nil {
		return "", nil, err
	}
	v, err := d.valueAfterStart()
	if err != nil {
		return "", nil, err
	}
	return k, v, d.skipToEnd()
}
