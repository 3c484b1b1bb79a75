package csvfile

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/ferry-migrate/ferry/internal/record"
)

// File is one CSV file of a source.
type File struct {
	name, path, display, encoding string
}

// New returns the CSV source name reading path (display is how positions
// name the file); enc is a declared encoding or "" to detect.
func New(name, path, display, enc string) *File {
	return &File{name: name, path: path, display: display, encoding: strings.ToLower(enc)}
}

func (c *File) errorf(format string, a ...any) error {
	return fmt.Errorf("source %s: %s: "+format, append([]any{c.name, c.display}, a...)...)
}

// open returns a CSV reader over the decoded file.
func (c *File) open() (*os.File, *csv.Reader, error) {
	f, err := os.Open(c.path)
	if err != nil {
		return nil, nil, fmt.Errorf("source %s: %w", c.name, err)
	}
	br := bufio.NewReaderSize(f, 1<<16)
	head, _ := br.Peek(64 << 10)
	dec, err := c.decoder(head)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	var r io.Reader = br
	if dec != nil {
		r = transform.NewReader(br, dec.NewDecoder())
	} else if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	cr.Comma = delimiter(firstLine(head, dec))
	return f, cr, nil
}

// decoder picks the encoding: declared, else a BOM, else UTF-8 when the
// start of the file is valid UTF-8, else Windows-1252. nil means UTF-8.
func (c *File) decoder(head []byte) (encoding.Encoding, error) {
	switch c.encoding {
	case "", "auto":
	case "utf-8", "utf8":
		return nil, nil
	case "utf-16", "utf16":
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), nil
	case "utf-16le":
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), nil
	case "utf-16be":
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252, nil
	case "iso-8859-1", "latin1", "latin-1":
		return charmap.ISO8859_1, nil
	case "iso-8859-15", "latin9":
		return charmap.ISO8859_15, nil
	default:
		return nil, c.errorf("unknown encoding %q (utf-8, utf-16, windows-1252, iso-8859-1, iso-8859-15)", c.encoding)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), nil
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return nil, nil
	case validUTF8Prefix(head):
		return nil, nil
	}
	return charmap.Windows1252, nil
}

// validUTF8Prefix reports whether head is UTF-8, allowing a rune cut at
// the end of the peeked window.
func validUTF8Prefix(head []byte) bool {
	for i := 0; i < 4 && len(head) > 0; i++ {
		if utf8.Valid(head) {
			return true
		}
		head = head[:len(head)-1]
	}
	return utf8.Valid(head)
}

func firstLine(head []byte, dec encoding.Encoding) string {
	if dec != nil {
		if b, _, err := transform.Bytes(dec.NewDecoder(), head); err == nil || len(b) > 0 {
			head = b
		}
	}
	s := string(head)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// delimiter is the candidate that splits the header into the most cells.
func delimiter(header string) rune {
	best, n := ',', 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		if c := strings.Count(header, string(d)); c > n {
			best, n = d, c
		}
	}
	return best
}

// Schema reads the header.
func (c *File) Schema(context.Context) (record.Schema, error) {
	f, r, err := c.open()
	if err != nil {
		return record.Schema{}, err
	}
	defer f.Close()
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

func (c *File) header(r *csv.Reader) ([]string, error) {
	h, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, c.errorf("the file is empty: a header line is needed")
	}
	if err != nil {
		return nil, c.errorf("header: %v", err)
	}
	seen := map[string]bool{}
	for i, n := range h {
		h[i] = strings.TrimSpace(strings.TrimPrefix(n, "\ufeff"))
		if h[i] == "" {
			return nil, c.errorf("header: column %d has no name", i+1)
		}
		if seen[h[i]] {
			return nil, c.errorf("header: column %q appears twice", h[i])
		}
		seen[h[i]] = true
	}
	return h, nil
}

// Scan reads every data row after after.Row.
func (c *File) Scan(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	f, r, err := c.open()
	if err != nil {
		return err
	}
	defer f.Close()
	header, err := c.header(r)
	if err != nil {
		return err
	}
	for n := int64(1); ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		vals, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line := 0
		if err == nil && len(vals) > 0 {
			line, _ = r.FieldPos(0)
		}
		rec, rerr := c.record(header, vals, err, int64(line), n)
		if rerr != nil {
			return rerr
		}
		if n <= after.Row {
			continue
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

func (c *File) record(header, vals []string, err error, line, n int64) (*record.Record, error) {
	var pe *csv.ParseError
	if err != nil && !errors.As(err, &pe) {
		return nil, c.errorf("%v", err)
	}
	anys := make([]any, len(vals))
	for i, v := range vals {
		anys[i] = v
		if !utf8.ValidString(v) && pe == nil {
			pe = &csv.ParseError{StartLine: int(line), Err: fmt.Errorf("cell %d is not valid text in this encoding", i+1)}
		}
	}
	if pe != nil {
		line = int64(pe.StartLine)
	}
	rec := record.New(record.Position{Source: c.name, File: c.display, Line: line, Row: n}, header, anys)
	switch {
	case pe != nil:
		rec.Problem = pe.Err.Error()
	case len(vals) != len(header):
		rec.Problem = fmt.Sprintf("%d cells where the header has %d", len(vals), len(header))
	}
	return rec, nil
}

// Digest is the SHA-256 of the file's bytes.
func (c *File) Digest(context.Context) (string, error) {
	f, err := os.Open(c.path)
	if err != nil {
		return "", fmt.Errorf("source %s: %w", c.name, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", c.errorf("%v", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Close releases nothing: every Scan opens and closes the file.
func (c *File) Close() error { return nil }
