package csv

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/transform"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
)

var (
	_ source.Source   = (*File)(nil)
	_ source.Digester = (*File)(nil)
)

// File is one CSV file (optionally gzip-compressed) of a source.
type File struct {
	source.Located
	encoding string

	mu      sync.Mutex
	settled bool
	cs      charset
	comma   byte
	eol     byte
}

// New returns the CSV file at path on the local disk as source name.
// display is how positions and errors name the file (the path as the plan
// wrote it); enc is a declared encoding (see Encodings), or "" to detect
// it. New does no I/O: a missing file is reported by Schema and Scan.
func New(name, path, display, enc string) *File {
	return NewFS(source.Local{}, name, path, display, enc)
}

// NewFS is New for a file of fsys (an SFTP server, for one). Every Schema,
// Scan and Digest streams the file again from fsys: nothing is copied
// aside.
func NewFS(fsys source.FS, name, path, display, enc string) *File {
	return &File{Located: source.Located{FS: fsys, Name: name, Path: path, Display: display}, encoding: enc}
}

// Encoding reports the encoding the file is read with (declared or
// detected) and its delimiter.
func (c *File) Encoding() (encoding string, delimiter rune, err error) {
	if err := c.settle(); err != nil {
		return "", 0, err
	}
	return c.cs.name, rune(c.comma), nil
}

// raw opens the file's bytes, decompressed when it is gzip.
func (c *File) raw() (io.Reader, io.Closer, error) {
	f, err := c.OpenFile()
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, c.Errorf("not a readable gzip file: %v", err)
		}
		return bufio.NewReaderSize(zr, 64<<10), f, nil
	}
	return br, f, nil
}

// settle detects the encoding, delimiter and line end once.
func (c *File) settle() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.settled {
		return nil
	}
	r, closer, err := c.raw()
	if err != nil {
		return err
	}
	defer closer.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return c.Errorf("%v", err)
	}
	head = head[:n]
	if c.encoding != "" {
		c.cs, err = declared(c.encoding, head)
	} else {
		c.cs, err = detect(head, io.MultiReader(strings.NewReader(string(head)), r))
	}
	if err != nil {
		return c.Errorf("%v", err)
	}
	text := head[c.cs.skip:]
	if c.cs.enc != nil {
		text, _, _ = transform.Bytes(c.cs.enc.NewDecoder(), head)
	}
	c.eol = lineEnd(text)
	c.comma = delimiter(text, c.eol)
	c.settled = true
	return nil
}

// lineEnd is '\n', or '\r' for a file whose lines end with a lone CR.
func lineEnd(text []byte) byte {
	if strings.IndexByte(string(text), '\n') < 0 && strings.IndexByte(string(text), '\r') >= 0 {
		return '\r'
	}
	return '\n'
}

// delimiter is the candidate (comma, semicolon, tab, pipe) that splits the
// first line into the most cells, outside quotes; comma when none does.
func delimiter(text []byte, eol byte) byte {
	counts := map[byte]int{}
	quoted := false
	for _, b := range text {
		if b == '"' {
			quoted = !quoted
		}
		if !quoted && b == eol {
			break
		}
		if !quoted {
			counts[b]++
		}
	}
	best := byte(',')
	for _, d := range []byte{',', ';', '\t', '|'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

// open returns a reader of the decoded rows.
func (c *File) open() (*reader, io.Closer, error) {
	if err := c.settle(); err != nil {
		return nil, nil, err
	}
	r, closer, err := c.raw()
	if err != nil {
		return nil, nil, err
	}
	if c.cs.skip > 0 {
		_, _ = io.CopyN(io.Discard, r, int64(c.cs.skip))
	}
	if c.cs.enc != nil {
		r = transform.NewReader(r, c.cs.enc.NewDecoder())
	}
	return newReader(r, c.comma, c.eol), closer, nil
}

// header reads the first row: names are trimmed; an empty name becomes
// column_<n> and a repeated one <name>_<k>, so every cell has a column.
func (c *File) header(r *reader) ([]string, error) {
	rw, err := r.next()
	if errors.Is(err, io.EOF) {
		return nil, c.Errorf("the file is empty: a header line is needed")
	}
	if err != nil {
		return nil, c.Errorf("line %d: %v", r.line+1, err)
	}
	if rw.problem != "" {
		return nil, c.Errorf("header line %d: %s", rw.line, rw.problem)
	}
	return names(rw.cells), nil
}

func names(cells []string) []string {
	out := make([]string, len(cells))
	seen := map[string]bool{}
	for i, n := range cells {
		n = strings.TrimSpace(strings.TrimPrefix(n, "\ufeff"))
		if n == "" {
			n = "column_" + strconv.Itoa(i+1)
		}
		for k, base := 2, n; seen[n]; k++ {
			n = base + "_" + strconv.Itoa(k)
		}
		seen[n] = true
		out[i] = n
	}
	return out
}

// Schema reads the header; every column is text.
func (c *File) Schema(context.Context) (record.Schema, error) {
	r, closer, err := c.open()
	if err != nil {
		return record.Schema{}, err
	}
	defer closer.Close()
	h, err := c.header(r)
	if err != nil {
		return record.Schema{}, err
	}
	var s record.Schema
	for _, n := range h {
		s.Columns = append(s.Columns, record.Column{Name: n, Type: record.TypeString})
	}
	return s, nil
}

// Scan reads every data row after after.Row (1-based, header excluded;
// blank lines are not rows) and passes it to fn.
func (c *File) Scan(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, closer, err := c.open()
	if err != nil {
		return err
	}
	defer closer.Close()
	header, err := c.header(r)
	if err != nil {
		return err
	}
	for n := int64(1); ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rw, err := r.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return c.Errorf("line %d: %v", r.line+1, err)
		}
		if n <= after.Row {
			continue
		}
		if err := fn(c.record(header, rw, n)); err != nil {
			return err
		}
	}
}

func (c *File) record(header []string, rw *row, n int64) *record.Record {
	vals := make([]any, len(rw.cells))
	var problems []string
	if rw.problem != "" {
		problems = append(problems, rw.problem)
	}
	bad := 0
	for i, v := range rw.cells {
		vals[i] = v
		if bad == 0 && !c.decoded(v) {
			bad = i + 1
		}
	}
	if len(rw.cells) != len(header) {
		problems = append(problems, ragged(header, rw.cells))
	}
	if bad > 0 {
		problems = append(problems, c.undecodable(header, bad))
	}
	rec := record.New(record.Position{Source: c.Name, File: c.Display, Line: rw.line, Row: n}, header, vals)
	rec.Problem = strings.Join(problems, "; ")
	return rec
}

// decoded reports whether a cell is clean text in the file's encoding.
func (c *File) decoded(v string) bool {
	if c.cs.enc == nil {
		return utf8.ValidString(v)
	}
	return !strings.ContainsRune(v, utf8.RuneError)
}

func (c *File) undecodable(header []string, i int) string {
	col := ""
	if i <= len(header) {
		col = " (" + header[i-1] + ")"
	}
	if c.cs.enc == nil {
		return fmt.Sprintf("cell %d%s is not valid UTF-8: the file may be in another encoding (declare it, e.g. encoding: windows-1252)", i, col)
	}
	return fmt.Sprintf("cell %d%s holds bytes that are not %s text", i, col, c.cs.name)
}

// ragged describes a row whose cell count differs from the header's,
// quoting the extra cells so that nothing is lost silently.
func ragged(header, cells []string) string {
	msg := fmt.Sprintf("row has %d cells, the header has %d", len(cells), len(header))
	if len(cells) <= len(header) {
		return msg
	}
	extra := make([]string, 0, len(cells)-len(header))
	for _, v := range cells[len(header):] {
		extra = append(extra, strconv.Quote(v))
	}
	s := strings.Join(extra, ", ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return msg + " (extra: " + s + ")"
}
