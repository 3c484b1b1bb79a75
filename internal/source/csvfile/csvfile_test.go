package csvfile

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

func write(t testing.TB, b []byte) string {
	p := filepath.Join(t.TempDir(), "x.csv")
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p
}

func scan(t testing.TB, f *File, after record.Position) []*record.Record {
	var out []*record.Record
	require.NoError(t, f.Scan(context.Background(), after, func(r *record.Record) error { out = append(out, r); return nil }))
	return out
}

func TestEncodingsAndDelimiters(t *testing.T) {
	text := "code;name;city\n1;Zoë Müller;Liège\n2;\"Line\nbreak\";Köln\n"
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
	cp1252, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(text))
	cases := map[string]struct {
		b   []byte
		enc string
	}{
		"utf-8":           {[]byte(text), ""},
		"utf-8 with BOM":  {append([]byte{0xEF, 0xBB, 0xBF}, text...), ""},
		"utf-16 with BOM": {utf16, ""},
		"windows-1252":    {cp1252, ""},
		"declared latin1": {cp1252, "iso-8859-1"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := New("legacy", write(t, c.b), "x.csv", c.enc)
			s, err := f.Schema(context.Background())
			require.NoError(t, err)
			require.Equal(t, []string{"code", "name", "city"}, s.Names())
			rows := scan(t, f, record.Position{})
			require.Len(t, rows, 2)
			require.Equal(t, "Zoë Müller", rows[0].Values["name"])
			require.Equal(t, "Liège", rows[0].Values["city"])
			require.Equal(t, "Line\nbreak", rows[1].Values["name"])
			require.Equal(t, int64(3), rows[1].Pos.Line, "the physical line where the row starts")
			require.Empty(t, rows[1].Problem)
		})
	}
}

func TestRaggedAndBrokenRowsAreKept(t *testing.T) {
	f := New("legacy", write(t, []byte("a,b,c\n1,2,3\n4,5\n6,\"7,8\n9,10,11\n")), "x.csv", "")
	rows := scan(t, f, record.Position{})
	require.GreaterOrEqual(t, len(rows), 3)
	require.Empty(t, rows[0].Problem)
	require.Equal(t, "2 cells where the header has 3", rows[1].Problem)
	require.NotEmpty(t, rows[2].Problem, "an unterminated quote is a problem on its row, not a lost row")
}

func TestResumeAfterARow(t *testing.T) {
	f := New("legacy", write(t, []byte("k\n1\n2\n3\n4\n")), "x.csv", "")
	rows := scan(t, f, record.Position{Row: 2})
	require.Len(t, rows, 2)
	require.Equal(t, "3", rows[0].Values["k"])
	require.Equal(t, int64(3), rows[0].Pos.Row)
}

func TestHeaderProblemsAreErrors(t *testing.T) {
	for body, want := range map[string]string{"": "is empty", "a,,c\n": "column 2 has no name", "a,a\n": `"a" appears twice`} {
		_, err := New("legacy", write(t, []byte(body)), "x.csv", "").Schema(context.Background())
		require.ErrorContains(t, err, want)
		require.ErrorContains(t, err, "source legacy: x.csv")
	}
	_, err := New("legacy", write(t, []byte("a\n")), "x.csv", "ebcdic").Schema(context.Background())
	require.ErrorContains(t, err, `unknown encoding "ebcdic"`)
	_, err = New("legacy", "/nonexistent/x.csv", "x.csv", "").Schema(context.Background())
	require.ErrorContains(t, err, "source legacy")
}

// FuzzScan: any bytes give no panic, and every data line that is not
// inside a quoted cell yields a record (none is lost).
func FuzzScan(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("a;b\n\"x\ny\";2\n3\n"))
	f.Add([]byte{0xFF, 0xFE, 'a', 0, '\n', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		src := New("f", write(t, b), "x.csv", "")
		if _, err := src.Schema(context.Background()); err != nil {
			return
		}
		n := 0
		_ = src.Scan(context.Background(), record.Position{}, func(*record.Record) error { n++; return nil })
		if !bytes.ContainsRune(b, '"') && utf8Plain(b) {
			nonEmpty := -1 // the first non-blank line is the header; blank lines are not rows
			for _, l := range strings.Split(string(b), "\n") {
				if l != "" {
					nonEmpty++
				}
			}
			if n != nonEmpty {
				t.Fatalf("%d records for %d data lines", n, nonEmpty)
			}
		}
	})
}

func utf8Plain(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c == '\r' || c == 0 {
			return false
		}
	}
	return true
}

func TestConformance(t *testing.T) {
	path := write(t, []byte("id,name\n10,a\n20,\"b\nc\"\n30,d\n"))
	sourcetest.Run(t, func(*testing.T) source.Source { return New("legacy", path, "x.csv", "") }, []string{"id", "name"}, "id", []string{"10", "20", "30"})
}
