package csv

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

func write(t testing.TB, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p
}

func scan(t testing.TB, s source.Source, after record.Position) []*record.Record {
	var out []*record.Record
	require.NoError(t, s.Scan(context.Background(), after, func(r *record.Record) error { out = append(out, r); return nil }))
	return out
}

func encode(t *testing.T, enc interface{ Bytes([]byte) ([]byte, error) }, s string) []byte {
	b, err := enc.Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, err := w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func TestEncodingsAndDelimiters(t *testing.T) {
	text := "code;name;city\n1;Zoë Müller;Liège\n2;\"Line\nbreak\";Köln\n"
	cases := []struct {
		name     string
		b        []byte
		declared string
		want     string
	}{
		{"utf-8", []byte(text), "", "utf-8"},
		{"utf-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, text...), "", "utf-8"},
		{"utf-16 LE with BOM", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder(), text), "", "utf-16"},
		{"utf-16 BE with BOM", encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder(), text), "", "utf-16"},
		{"utf-16 LE without BOM", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder(), text), "", "utf-16le"},
		{"windows-1252", encode(t, charmap.Windows1252.NewEncoder(), text), "", "windows-1252"},
		{"declared iso-8859-1", encode(t, charmap.ISO8859_1.NewEncoder(), text), "iso-8859-1", "iso-8859-1"},
		{"declared iso-8859-15", encode(t, charmap.ISO8859_15.NewEncoder(), text), "ISO-8859-15", "iso-8859-15"},
		{"declared utf-16", encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder(), text), "utf-16", "utf-16"},
		{"tab", []byte(strings.ReplaceAll(text, ";", "\t")), "", "utf-8"},
		{"pipe", []byte(strings.ReplaceAll(text, ";", "|")), "", "utf-8"},
		{"comma", []byte(strings.ReplaceAll(text, ";", ",")), "", "utf-8"},
		{"gzip windows-1252", gz(t, encode(t, charmap.Windows1252.NewEncoder(), text)), "", "windows-1252"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := New("legacy", write(t, "x.csv", c.b), "x.csv", c.declared)
			s, err := f.Schema(context.Background())
			require.NoError(t, err)
			require.Equal(t, []string{"code", "name", "city"}, s.Names())
			enc, _, err := f.Encoding()
			require.NoError(t, err)
			require.Equal(t, c.want, enc)
			rows := scan(t, f, record.Position{})
			require.Len(t, rows, 2)
			require.Equal(t, "Zoë Müller", rows[0].Values["name"])
			require.Equal(t, "Liège", rows[0].Values["city"])
			require.Equal(t, "Line\nbreak", rows[1].Values["name"])
			require.Equal(t, record.Position{Source: "legacy", File: "x.csv", Line: 3, Row: 2}, rows[1].Pos, "the physical line where the row starts")
			require.Empty(t, rows[1].Problem)
		})
	}
}

func TestDetectionReadsTheWholeFile(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("id,name\n")
	for i := 0; i < 20000; i++ {
		b.WriteString("1,plain ascii name\n")
	}
	late := append(b.Bytes(), encode(t, charmap.Windows1252.NewEncoder(), "2,Ångström\n")...)
	f := New("legacy", write(t, "late.csv", late), "late.csv", "")
	rows := scan(t, f, record.Position{})
	require.Equal(t, "Ångström", rows[len(rows)-1].Values["name"], "a Windows-1252 name after the first 64 KiB is still read right")

	damaged := "id,name\n1,Zoë\n2,Müller\n3,Br\xfcck\n4,Liège\n"
	f = New("legacy", write(t, "damaged.csv", []byte(damaged)), "damaged.csv", "")
	enc, _, err := f.Encoding()
	require.NoError(t, err)
	require.Equal(t, "utf-8", enc, "mostly valid UTF-8 stays UTF-8")
	rows = scan(t, f, record.Position{})
	require.Len(t, rows, 4)
	require.Equal(t, "Zoë", rows[0].Values["name"])
	require.Equal(t, "cell 2 (name) is not valid UTF-8: the file may be in another encoding (declare it, e.g. encoding: windows-1252)", rows[2].Problem)
	require.Empty(t, rows[3].Problem)
}

func TestRowProblemsAreRecordsNotErrors(t *testing.T) {
	body := "a,b,c\n1,2,3\n4,5\n6,7,8,9,\"ten\"\n\"x\"y,2,3\n11,\"open,12\n13,14,15\n"
	rows := scan(t, New("legacy", write(t, "x.csv", []byte(body)), "x.csv", ""), record.Position{})
	want := []struct {
		line    int64
		problem string
	}{
		{2, ""},
		{3, "row has 2 cells, the header has 3"},
		{4, `row has 5 cells, the header has 3 (extra: "9", "ten")`},
		{5, "cell 1 has text after its closing quote"},
		{6, "a quoted cell opened on line 6 is never closed"},
		{7, ""},
	}
	require.Len(t, rows, len(want), "every data line is a record")
	for i, w := range want {
		require.Equal(t, w.line, rows[i].Pos.Line)
		require.Equal(t, int64(i+1), rows[i].Pos.Row)
		require.Equal(t, w.problem, rows[i].Problem, "line %d", w.line)
	}
	require.Equal(t, "4", rows[1].Values["a"])
	require.Nil(t, rows[1].Values["c"], "a missing cell is nil")
	require.Equal(t, "13", rows[5].Values["a"])
}

func TestHeader(t *testing.T) {
	s, err := New("legacy", write(t, "x.csv", []byte(" id ,,Phone,Phone,\n1,2,3,4,5\n")), "x.csv", "").Schema(context.Background())
	require.NoError(t, err)
	require.Equal(t, []string{"id", "column_2", "Phone", "Phone_2", "column_5"}, s.Names())
}

func TestResumeAfterARow(t *testing.T) {
	f := New("legacy", write(t, "x.csv", []byte("k\n1\n\n2\n3\n4\n")), "x.csv", "")
	rows := scan(t, f, record.Position{Row: 2})
	require.Len(t, rows, 2)
	require.Equal(t, "3", rows[0].Values["k"])
	require.Equal(t, record.Position{Source: "legacy", File: "x.csv", Line: 5, Row: 3}, rows[0].Pos)
}

func TestErrorsNameTheSourceAndFile(t *testing.T) {
	utf8File := write(t, "x.csv", []byte("a,b\n1,2\n"))
	cases := []struct {
		name, path, enc, want string
	}{
		{"missing file", filepath.Join(t.TempDir(), "gone.csv"), "", "source legacy: x.csv: the file does not exist (looked for "},
		{"empty file", write(t, "e.csv", nil), "", "source legacy: x.csv: the file is empty: a header line is needed"},
		{"unknown encoding", utf8File, "ebcdic", `source legacy: x.csv: unknown encoding "ebcdic" (utf-8, utf-16`},
		{"declared utf-16 on utf-8 text", utf8File, "utf-16", "source legacy: x.csv: declared utf-16 but the file has no byte-order mark and no UTF-16 text"},
		{"declared utf-8 on utf-16", write(t, "u.csv", []byte{0xFF, 0xFE, 'a', 0}), "utf-8", "source legacy: x.csv: declared utf-8 but the file starts with a UTF-16 byte-order mark"},
		{"broken gzip", write(t, "g.csv.gz", []byte{0x1f, 0x8b, 1, 2}), "", "source legacy: x.csv: not a readable gzip file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := New("legacy", c.path, "x.csv", c.enc)
			_, err := f.Schema(context.Background())
			require.ErrorContains(t, err, c.want)
			err = f.Scan(context.Background(), record.Position{}, func(*record.Record) error { return nil })
			require.ErrorContains(t, err, c.want)
		})
	}
	_, err := New("legacy", filepath.Join(t.TempDir(), "gone.csv"), "x.csv", "").Digest(context.Background())
	require.ErrorContains(t, err, "source legacy: x.csv: the file does not exist")
}

func TestWrongDeclaredEncodingMarksTheRows(t *testing.T) {
	b := encode(t, charmap.Windows1252.NewEncoder(), "id,name\n1,Zoë\n2,Bob\n")
	rows := scan(t, New("legacy", write(t, "x.csv", b), "x.csv", "utf-8"), record.Position{})
	require.Len(t, rows, 2)
	require.Contains(t, rows[0].Problem, "cell 2 (name) is not valid UTF-8")
	require.Empty(t, rows[1].Problem)
}

func TestDigest(t *testing.T) {
	b := []byte("a\n1\n")
	sum := sha256.Sum256(b)
	d, err := New("legacy", write(t, "x.csv", b), "x.csv", "").Digest(context.Background())
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(sum[:]), d)
}

func TestSet(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.csv"), []byte("id,name\n1,x\n2,y\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.csv"), []byte("name,id\nz,3\n"), 0o600))
	set := NewSet("legacy", []*File{New("legacy", filepath.Join(dir, "a.csv"), "in/a.csv", ""), New("legacy", filepath.Join(dir, "b.csv"), "in/b.csv", "")})
	all := scan(t, set, record.Position{})
	require.Len(t, all, 3)
	require.Equal(t, "3", all[2].Values["id"])
	require.Equal(t, []string{"id", "name"}, all[2].Columns)
	require.Equal(t, "in/b.csv:2", all[2].Pos.String())
	rest := scan(t, set, all[1].Pos)
	require.Len(t, rest, 1)
	require.Equal(t, "z", rest[0].Values["name"])
	err := set.Scan(context.Background(), record.Position{File: "in/gone.csv", Row: 1}, func(*record.Record) error { return nil })
	require.ErrorContains(t, err, "source legacy: cannot resume after in/gone.csv row 1: the file is no longer in the set")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.csv"), []byte("id,email\n3,z\n"), 0o600))
	err = set.Scan(context.Background(), record.Position{}, func(*record.Record) error { return nil })
	require.ErrorContains(t, err, "source legacy: in/b.csv: its columns (id, email) differ from the first file's (id, name)")
}

func TestConformance(t *testing.T) {
	path := write(t, "x.csv", []byte("id;name\n10;a\n20;\"b\nc\"\n\n30;d\n"))
	sourcetest.Run(t, func(*testing.T) source.Source { return New("legacy", path, "x.csv", "") },
		[][]any{{"10", "a"}, {"20", "b\nc"}, {"30", "d"}})
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "1.csv"), []byte("id,name\n10,a\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "2.csv"), gz(t, []byte("id,name\n20,b\n30,c\n")), 0o600))
	sourcetest.Run(t, func(*testing.T) source.Source {
		return NewSet("legacy", []*File{New("legacy", filepath.Join(dir, "1.csv"), "1.csv", ""), New("legacy", filepath.Join(dir, "2.csv"), "2.csv", "")})
	}, [][]any{{"10", "a"}, {"20", "b"}, {"30", "c"}})
}

// FuzzScan: any bytes, in any encoding the detection picks, give no panic,
// and every data row the reader delimits becomes exactly one record.
func FuzzScan(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("a;b\n\"x\ny\";2\n3\n"))
	f.Add([]byte{0xFF, 0xFE, 'a', 0, '\n', 0})
	f.Add([]byte("a,b\n\xe9,\"\n1,2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		src := New("f", write(t, "x.csv", b), "x.csv", "")
		if _, err := src.Schema(context.Background()); err != nil {
			return
		}
		r, closer, err := src.open()
		require.NoError(t, err)
		defer closer.Close()
		delimited := -1 // the header
		for {
			if _, err := r.next(); err != nil {
				break
			}
			delimited++
		}
		var recs []*record.Record
		require.NoError(t, src.Scan(context.Background(), record.Position{}, func(r *record.Record) error { recs = append(recs, r); return nil }))
		require.Len(t, recs, delimited)
		for i, r := range recs {
			require.Equal(t, int64(i+1), r.Pos.Row)
		}
	})
}

// BenchmarkScan reads 100,000 rows of 10 cells (about 7 MB), quoted cells
// included, and reports rows per second.
func BenchmarkScan(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("id,name,email,street,city,zip,country,phone,amount,note\n")
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&buf, "%d,Customer %d,c%d@example.com,\"%d Main Street, Apt 4\",Liège,4000,BE,+32 4 123 45 67,%d.50,\"said \"\"hi\"\"\"\n", i, i, i, i, i)
	}
	path := write(b, "bench.csv", buf.Bytes())
	f := New("bench", path, "bench.csv", "")
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if err := f.Scan(context.Background(), record.Position{}, func(*record.Record) error { n++; return nil }); err != nil || n != 100000 {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
