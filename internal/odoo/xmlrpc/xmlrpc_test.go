package xmlrpc

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// recordedVersion is Odoo 18's answer to common.version, byte for byte.
const recordedVersion = "<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>server_version</name>\n<value><string>18.0</string></value>\n</member>\n<member>\n<name>server_version_info</name>\n<value><array><data>\n<value><int>18</int></value>\n<value><int>0</int></value>\n<value><int>0</int></value>\n<value><string>final</string></value>\n<value><int>0</int></value>\n<value><string></string></value>\n</data></array></value>\n</member>\n<member>\n<name>server_serie</name>\n<value><string>18.0</string></value>\n</member>\n<member>\n<name>protocol_version</name>\n<value><int>1</int></value>\n</member>\n</struct></value>\n</param>\n</params>\n\n</methodResponse>\n"

func TestDecodeRecordedVersion(t *testing.T) {
	v, err := DecodeResponse(strings.NewReader(recordedVersion))
	require.NoError(t, err)
	require.Equal(t, map[string]any{
		"server_version":      "18.0",
		"server_version_info": []any{int64(18), int64(0), int64(0), "final", int64(0), ""},
		"server_serie":        "18.0",
		"protocol_version":    int64(1),
	}, v)
}

func TestRoundTrip(t *testing.T) {
	in := []any{
		nil, true, false, int64(-7), 1.25, "a<b&c>", []byte{0, 1, 2},
		[]any{}, []any{int64(1), "x"}, map[string]any{"k": []any{map[string]any{}}},
	}
	var b bytes.Buffer
	require.NoError(t, Encoder{AllowNone: true}.Call(&b, "execute_kw", in...))
	name, got, err := DecodeCall(&b)
	require.NoError(t, err)
	require.Equal(t, "execute_kw", name)
	require.Equal(t, in, got)
}

func TestServerRefusesNone(t *testing.T) {
	var b bytes.Buffer
	require.ErrorIs(t, Encoder{}.Response(&b, map[string]any{"x": nil}), ErrNone)
}

func TestFault(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Encoder{}.Fault(&b, 3, "Access Denied"))
	_, err := DecodeResponse(&b)
	var f *Fault
	require.ErrorAs(t, err, &f)
	require.Equal(t, 3, f.Code)
	require.Equal(t, "Access Denied", f.String)
}

func TestUntypedValueIsString(t *testing.T) {
	v, err := DecodeResponse(strings.NewReader(`<methodResponse><params><param><value>plain</value></param></params></methodResponse>`))
	require.NoError(t, err)
	require.Equal(t, "plain", v)
}

func TestHTMLIsNotXMLRPC(t *testing.T) {
	_, err := DecodeResponse(strings.NewReader("<!DOCTYPE html><html><body>Login</body></html>"))
	require.ErrorIs(t, err, ErrNotXML)
}

func FuzzDecodeResponse(f *testing.F) {
	f.Add(recordedVersion)
	f.Add("<methodResponse><fault><value><struct></struct></value></fault></methodResponse>")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = DecodeResponse(strings.NewReader(s))
	})
}
