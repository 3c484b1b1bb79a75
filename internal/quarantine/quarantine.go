package quarantine

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Extra columns after the row's own.
const (
	ColPosition = "ferry_position"
	ColCodes    = "ferry_codes"
	ColMessages = "ferry_messages"
)

// Writer appends quarantined rows of one entity. The file is created on the
// first Write, so an entity with nothing quarantined leaves no file. A
// Writer is not safe for concurrent use.
type Writer struct {
	path    string
	columns []string
	f       *os.File
	w       *csv.Writer
	n       int
}

// Open prepares dir/<entity>.csv for the given source columns.
func Open(dir, entity string, columns []string) (*Writer, error) {
	if entity == "" || strings.ContainsAny(entity, `/\`) {
		return nil, fmt.Errorf("quarantine: invalid entity name %q", entity)
	}
	return &Writer{path: filepath.Join(dir, entity+".csv"), columns: columns}, nil
}

// Path is the file the writer writes.
func (w *Writer) Path() string { return w.path }

// Count is the number of rows written.
func (w *Writer) Count() int { return w.n }

// Write appends rec with its findings.
func (w *Writer) Write(rec *record.Record, findings []diag.Diagnostic) error {
	if w.f == nil {
		if err := w.create(); err != nil {
			return err
		}
	}
	row := make([]string, 0, len(w.columns)+3)
	for _, c := range w.columns {
		var v any
		if rec != nil {
			v = rec.Values[c]
		}
		row = append(row, Neutralize(record.Text(v)))
	}
	row = append(row, position(rec, findings), codes(findings), messages(findings))
	if err := w.w.Write(row); err != nil {
		return fmt.Errorf("quarantine %s: %w", w.path, err)
	}
	w.n++
	return nil
}

// Neutralize keeps a spreadsheet from running a cell as a formula (CSV
// injection): a value that starts with = @, a tab or a carriage return, or
// with + or - followed by anything but a number or a phone number's
// characters, gets a leading apostrophe. Quarantine files hold source
// values as they came, and people open them in spreadsheets.
func Neutralize(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '@', '\t', '\r':
		return "'" + cell
	case '+', '-':
		if strings.Trim(cell, "0123456789 +-().,/") != "" {
			return "'" + cell
		}
	}
	return cell
}

func (w *Writer) create() error {
	if err := os.MkdirAll(filepath.Dir(w.path), 0o700); err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	f, err := os.OpenFile(w.path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return fmt.Errorf("quarantine %s: %w", w.path, err)
	}
	w.f, w.w = f, csv.NewWriter(f)
	header := append(append([]string(nil), w.columns...), ColPosition, ColCodes, ColMessages)
	return w.w.Write(header)
}

// Close flushes and closes the file; it is safe to call twice.
func (w *Writer) Close() error {
	if w.f == nil {
		return nil
	}
	w.w.Flush()
	err := w.w.Error()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err != nil {
		return fmt.Errorf("quarantine %s: %w", w.path, err)
	}
	return nil
}

func position(rec *record.Record, ds []diag.Diagnostic) string {
	if rec != nil && !rec.Pos.IsZero() {
		return rec.Pos.String()
	}
	for _, d := range ds {
		if s := d.Pos.String(); s != "" {
			return s
		}
	}
	return ""
}

func codes(ds []diag.Diagnostic) string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return strings.Join(out, " ")
}

func messages(ds []diag.Diagnostic) string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		m := d.Msg
		if d.Field != "" {
			m = d.Field + ": " + m
		}
		out = append(out, d.Code+" "+m)
	}
	return strings.Join(out, "; ")
}
