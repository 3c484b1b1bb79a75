package xlsx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/internal/record"
)

// Sheet is one sheet of a workbook.
type Sheet struct {
	name, path, display, sheet string
}

// New returns the source name reading sheet (first sheet when empty) of
// the workbook at path.
func New(name, path, display, sheet string) *Sheet {
	return &Sheet{name: name, path: path, display: display, sheet: sheet}
}

func (s *Sheet) errorf(format string, a ...any) error {
	return fmt.Errorf("source %s: %s: "+format, append([]any{s.name, s.display}, a...)...)
}

func (s *Sheet) open() (*excelize.File, *excelize.Rows, string, error) {
	f, err := excelize.OpenFile(s.path, excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 256 << 20})
	if err != nil {
		return nil, nil, "", s.errorf("not a readable .xlsx workbook: %v", err)
	}
	sheet := s.sheet
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	if idx, err := f.GetSheetIndex(sheet); err != nil || idx < 0 {
		f.Close()
		return nil, nil, "", s.errorf("no sheet %q (sheets: %s)", sheet, strings.Join(f.GetSheetList(), ", "))
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, nil, "", s.errorf("sheet %s: %v", sheet, err)
	}
	return f, rows, sheet, nil
}

func (s *Sheet) header(rows *excelize.Rows) ([]string, error) {
	if !rows.Next() {
		return nil, s.errorf("the sheet is empty: a header row is needed")
	}
	h, err := rows.Columns()
	if err != nil {
		return nil, s.errorf("header: %v", err)
	}
	seen := map[string]bool{}
	for i := range h {
		h[i] = strings.TrimSpace(h[i])
		if h[i] == "" || seen[h[i]] {
			return nil, s.errorf("header: column %d is empty or repeated (%q)", i+1, h[i])
		}
		seen[h[i]] = true
	}
	return h, nil
}

// Schema reads the header row.
func (s *Sheet) Schema(context.Context) (record.Schema, error) {
	f, rows, _, err := s.open()
	if err != nil {
		return record.Schema{}, err
	}
	defer f.Close()
	defer rows.Close()
	h, err := s.header(rows)
	if err != nil {
		return record.Schema{}, err
	}
	var sch record.Schema
	for _, n := range h {
		sch.Columns = append(sch.Columns, record.Column{Name: n, Type: record.TypeString})
	}
	return sch, nil
}

// Scan streams the data rows after after.Row (blank rows are not rows).
func (s *Sheet) Scan(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	f, rows, sheet, err := s.open()
	if err != nil {
		return err
	}
	defer f.Close()
	defer rows.Close()
	header, err := s.header(rows)
	if err != nil {
		return err
	}
	n, line := int64(0), int64(1)
	for rows.Next() {
		line++
		if err := ctx.Err(); err != nil {
			return err
		}
		cells, err := rows.Columns()
		if err != nil {
			return s.errorf("row %d: %v", line, err)
		}
		if blank(cells) {
			continue
		}
		n++
		if n <= after.Row {
			continue
		}
		if err := fn(s.record(header, cells, sheet, line, n)); err != nil {
			return err
		}
	}
	return rows.Error()
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (s *Sheet) record(header, cells []string, sheet string, line, n int64) *record.Record {
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	rec := record.New(record.Position{Source: s.name, File: s.display, Sheet: sheet, Line: line, Row: n}, header, vals)
	if len(cells) > len(header) {
		rec.Problem = fmt.Sprintf("%d cells where the header has %d", len(cells), len(header))
	}
	return rec
}

// Digest is the SHA-256 of the workbook file.
func (s *Sheet) Digest(context.Context) (string, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return "", s.errorf("%v", errors.Unwrap(err))
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", s.errorf("%v", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Close releases nothing: every Scan opens and closes the workbook.
func (s *Sheet) Close() error { return nil }
