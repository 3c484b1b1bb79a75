package csv

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func rows(t testing.TB, text string, comma byte) []*row {
	r := newReader(strings.NewReader(text), comma, lineEnd([]byte(text)))
	var out []*row
	for {
		rw, err := r.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, rw)
	}
}

func TestReaderSplitsRows(t *testing.T) {
	cases := []struct {
		name, text string
		want       [][]string
		lines      []int64
		problems   []string
	}{
		{"plain", "a,b\n1,2\n", [][]string{{"a", "b"}, {"1", "2"}}, []int64{1, 2}, []string{"", ""}},
		{"no final line end", "a,b\n1,2", [][]string{{"a", "b"}, {"1", "2"}}, []int64{1, 2}, []string{"", ""}},
		{"crlf and blank lines", "a,b\r\n\r\n1,2\r\n\n3,\r\n", [][]string{{"a", "b"}, {"1", "2"}, {"3", ""}}, []int64{1, 3, 5}, []string{"", "", ""}},
		{"lone cr line ends", "a,b\r1,2\r", [][]string{{"a", "b"}, {"1", "2"}}, []int64{1, 2}, []string{"", ""}},
		{"quoted newline and quotes", "a,b\n\"x\ny\",\"say \"\"hi\"\"\"\n2,3\n", [][]string{{"a", "b"}, {"x\ny", `say "hi"`}, {"2", "3"}}, []int64{1, 2, 4}, []string{"", "", ""}},
		{"quoted crlf", "a\n\"x\r\ny\"\n", [][]string{{"a"}, {"x\ny"}}, []int64{1, 2}, []string{"", ""}},
		{"bare quote is a character", "a,b\n12\" pipe,2\n", [][]string{{"a", "b"}, {`12" pipe`, "2"}}, []int64{1, 2}, []string{"", ""}},
		{"text after closing quote", "a,b\n\"x\"y,2\n", [][]string{{"a", "b"}, {"xy", "2"}}, []int64{1, 2}, []string{"", "cell 1 has text after its closing quote"}},
		{"empty cells", ",\n,,\n", [][]string{{"", ""}, {"", "", ""}}, []int64{1, 2}, []string{"", ""}},
		{
			"unclosed quote gives back the lines it would swallow", "a,b\n1,\"open\n2,x\n3,y\n",
			[][]string{{"a", "b"}, {"1", `"open`}, {"2", "x"}, {"3", "y"}}, []int64{1, 2, 3, 4},
			[]string{"", "a quoted cell opened on line 2 is never closed", "", ""},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := rows(t, c.text, ',')
			var cells [][]string
			var lines []int64
			var problems []string
			for _, r := range got {
				cells, lines, problems = append(cells, r.cells), append(lines, r.line), append(problems, r.problem)
			}
			require.Equal(t, c.want, cells)
			require.Equal(t, c.lines, lines)
			require.Equal(t, c.problems, problems)
		})
	}
}

func TestDelimiterDetection(t *testing.T) {
	for text, want := range map[string]byte{
		"a,b,c\n":           ',',
		"a;b;c\n1,5;2\n":    ';',
		"a\tb\n":            '\t',
		"a|b|c\n":           '|',
		"name\n":            ',',
		"\"a;b\",c,d;e\n":   ',',
		"\"x,y,z\";b;c\n":   ';',
		"id;\"Name, Full\"": ';',
	} {
		require.Equal(t, string(want), string(delimiter([]byte(text), '\n')), "%q", text)
	}
}

// FuzzReader: any text gives no panic and loses no line. Every physical
// line is either blank or inside exactly one row; rows come in order; a
// row spans several lines only through quoted line ends, each kept in a
// cell; a single-line row without quotes holds exactly its line's text.
func FuzzReader(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a;b\n\"x\ny\";2\n3\n", "a\n\"\n", "\"a\"\"\n\n\"b", "x,\"y\"z\n\r\n", "a\r\"b\rc\"\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		text := string(b)
		eol := lineEnd(b)
		comma := delimiter(b, eol)
		got := rows(t, text, comma)
		lines := strings.Split(text, string(eol))
		if strings.HasSuffix(text, string(eol)) {
			lines = lines[:len(lines)-1]
		}
		covered := make([]bool, len(lines)+1)
		next := int64(1)
		for _, r := range got {
			require.GreaterOrEqual(t, r.line, next, "rows in order, never overlapping")
			require.GreaterOrEqual(t, r.lines, int64(1))
			for l := r.line; l < r.line+r.lines; l++ {
				require.LessOrEqual(t, l, int64(len(lines)))
				covered[l] = true
			}
			next = r.line + r.lines
			joined := strings.Join(r.cells, string(comma))
			if eol == '\n' {
				require.Equal(t, int(r.lines-1), strings.Count(joined, "\n"), "line ends inside the row at %d", r.line)
			}
			if r.lines == 1 && !strings.Contains(lines[r.line-1], `"`) {
				require.Equal(t, strings.TrimSuffix(lines[r.line-1], "\r"), joined, "line %d", r.line)
			}
		}
		for i, l := range lines {
			if !covered[i+1] {
				require.Empty(t, bytes.TrimSuffix([]byte(l), []byte("\r")), "line %d is lost", i+1)
			}
		}
	})
}
