package csv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxRecord bounds what one row may hold: a physical line, or the lines a
// quoted cell spans. A quoted cell still open after this many bytes is
// treated like one never closed.
const maxRecord = 64 << 20

// row is one delimited row of the file.
type row struct {
	cells   []string
	line    int64  // physical line where the row starts (1-based)
	lines   int64  // physical lines the row spans
	problem string // why the row could not be read cleanly, if so
}

// reader splits decoded text into rows: RFC 4180 with the leniency real
// exports need. A quote inside an unquoted cell is a character; text after
// a closing quote is kept and reported; a quoted cell that is never closed
// makes its first line a row with a problem and reading resumes on the
// next line, so no row is swallowed. Blank lines are not rows.
type reader struct {
	br      *bufio.Reader
	comma   byte
	eol     byte     // '\n', or '\r' for files with old Mac line ends
	line    int64    // physical lines consumed
	pending [][]byte // lines pushed back after a recovery
	long    []byte   // a line longer than the buffer
	text    []byte   // the cells of the current row, end to end
	ends    []int    // where each cell ends in text
	saved   [][]byte // copies of the lines of the current multi-line row
}

func newReader(r io.Reader, comma, eol byte) *reader {
	return &reader{br: bufio.NewReaderSize(r, 1<<16), comma: comma, eol: eol}
}

// errLineTooLong is returned for a line that cannot be delimited.
var errLineTooLong = fmt.Errorf("a line is longer than %d MiB: is this a CSV file?", maxRecord>>20)

// readLine returns the next physical line without its line end. The slice
// is valid until the next call.
func (r *reader) readLine() ([]byte, error) {
	if n := len(r.pending); n > 0 {
		l := r.pending[0]
		r.pending = r.pending[1:]
		r.line++
		return l, nil
	}
	l, err := r.br.ReadSlice(r.eol)
	if errors.Is(err, bufio.ErrBufferFull) {
		r.long = append(r.long[:0], l...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(r.long) > maxRecord {
				return nil, errLineTooLong
			}
			l, err = r.br.ReadSlice(r.eol)
			r.long = append(r.long, l...)
		}
		l = r.long
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(l) == 0 && err != nil {
		return nil, io.EOF
	}
	r.line++
	l = bytes.TrimSuffix(l, []byte{r.eol})
	if r.eol == '\n' {
		l = bytes.TrimSuffix(l, []byte{'\r'})
	}
	return l, nil
}

// next returns the next row, or io.EOF. The cells of a row share one
// string, so a row costs two allocations whatever its width.
func (r *reader) next() (*row, error) {
	var ln []byte
	for len(ln) == 0 {
		l, err := r.readLine()
		if err != nil {
			return nil, err
		}
		ln = l
	}
	rw := &row{line: r.line}
	r.saved = r.saved[:0]
	r.text, r.ends = r.text[:0], r.ends[:0]
	for i := 0; ; {
		var err error
		if i < len(ln) && ln[i] == '"' {
			ln, i, err = r.quoted(rw, ln, i+1)
			if errors.Is(err, errUnclosed) {
				return r.recover(rw), nil
			}
			if err != nil {
				return nil, err
			}
		} else {
			j := bytes.IndexByte(ln[i:], r.comma)
			if j < 0 {
				j = len(ln) - i
			}
			r.text = append(r.text, ln[i:i+j]...)
			i += j
		}
		r.ends = append(r.ends, len(r.text))
		if i >= len(ln) {
			break
		}
		i++ // the delimiter
	}
	text := string(r.text)
	rw.cells = make([]string, len(r.ends))
	start := 0
	for k, end := range r.ends {
		rw.cells[k] = text[start:end]
		start = end
	}
	rw.lines = r.line - rw.line + 1
	return rw, nil
}

var errUnclosed = errors.New("unclosed quote")

// quoted reads a quoted cell starting after its opening quote at ln[i:]
// onto r.text, across lines if needed; it returns the line and index where
// the cell ends (at a delimiter or the end of the line).
func (r *reader) quoted(rw *row, ln []byte, i int) ([]byte, int, error) {
	size := 0
	for {
		j := bytes.IndexByte(ln[i:], '"')
		if j < 0 {
			r.text = append(r.text, ln[i:]...)
			size += len(ln)
			if len(r.saved) == 0 {
				r.saved = append(r.saved, bytes.Clone(ln))
			}
			if size > maxRecord {
				return nil, 0, errUnclosed
			}
			next, err := r.readLine()
			if errors.Is(err, io.EOF) {
				return nil, 0, errUnclosed
			}
			if err != nil {
				return nil, 0, err
			}
			r.saved = append(r.saved, bytes.Clone(next))
			r.text = append(r.text, '\n')
			ln, i = next, 0
			continue
		}
		r.text = append(r.text, ln[i:i+j]...)
		i += j + 1
		if i < len(ln) && ln[i] == '"' {
			r.text = append(r.text, '"')
			i++
			continue
		}
		break
	}
	if i < len(ln) && ln[i] != r.comma {
		if rw.problem == "" {
			rw.problem = fmt.Sprintf("cell %d has text after its closing quote", len(rw.cells)+1)
		}
		j := bytes.IndexByte(ln[i:], r.comma)
		if j < 0 {
			j = len(ln) - i
		}
		r.text = append(r.text, ln[i:i+j]...)
		i += j
	}
	return ln, i, nil
}

// recover handles a quoted cell that is never closed: the row's first line
// becomes a row of its own, split at every delimiter, with a problem, and
// the lines after it are read again as rows.
func (r *reader) recover(rw *row) *row {
	first := r.saved[0]
	if len(r.saved) > 1 {
		rest := make([][]byte, 0, len(r.saved)-1+len(r.pending))
		rest = append(rest, r.saved[1:]...)
		r.pending = append(rest, r.pending...)
	}
	r.line = rw.line
	cells := strings.Split(string(first), string(r.comma))
	return &row{cells: cells, line: rw.line, lines: 1,
		problem: fmt.Sprintf("a quoted cell opened on line %d is never closed", rw.line)}
}
