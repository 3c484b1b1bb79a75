package xlsx

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
)

var (
	_ source.Source   = (*Sheet)(nil)
	_ source.Digester = (*Sheet)(nil)
)

// Sheet is one sheet of a workbook.
type Sheet struct {
	source.Located
	sheet string
}

// New returns the source name reading sheet (the first sheet when empty)
// of the workbook at path on the local disk; display is how positions and
// errors name the file. New does no I/O.
func New(name, path, display, sheet string) *Sheet {
	return NewFS(source.Local{}, name, path, display, sheet)
}

// NewFS is New for a workbook of fsys (an SFTP server, for one). The
// workbook is read from fsys on every Schema, Scan and Digest; excelize
// holds it in memory while it is open (see the package doc).
func NewFS(fsys source.FS, name, path, display, sheet string) *Sheet {
	return &Sheet{Located: source.Located{FS: fsys, Name: name, Path: path, Display: display}, sheet: sheet}
}

// workbook is an open sheet: excelize's row iterator for the values, the
// cells stream for their types and styles.
type workbook struct {
	file     source.File
	f        *excelize.File
	rows     *excelize.Rows
	cells    *cells
	sheet    string
	styles   *styles
	date1904 bool
	line     int // sheet row number of the current row
}

func (w *workbook) Close() {
	w.rows.Close()
	w.cells.Close()
	w.f.Close()
	w.file.Close()
}

func (s *Sheet) open() (*workbook, error) {
	file, err := s.OpenFile()
	if err != nil {
		return nil, err
	}
	w, err := s.openWorkbook(file)
	if err != nil {
		file.Close()
		return nil, err
	}
	return w, nil
}

// openWorkbook reads file with excelize, and beside it the sheet's XML
// from the zip archive at its offsets.
func (s *Sheet) openWorkbook(file source.File) (*workbook, error) {
	info, err := file.Stat()
	if err != nil {
		return nil, s.Errorf("%v", err)
	}
	f, err := excelize.OpenReader(file, excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, s.Errorf("not a readable .xlsx workbook: %v", err)
	}
	w := &workbook{file: file, f: f, sheet: s.sheet, styles: &styles{f: f, kinds: map[int]dateKind{}}}
	if err := s.sheetOf(w); err != nil {
		f.Close()
		return nil, err
	}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		w.date1904 = *props.Date1904
	}
	if w.rows, err = f.Rows(w.sheet); err != nil {
		f.Close()
		return nil, s.Errorf("sheet %s: %v", w.sheet, err)
	}
	if w.cells, err = openCells(file, info.Size(), w.sheet); err != nil {
		w.rows.Close()
		f.Close()
		return nil, s.Errorf("sheet %s: %v", w.sheet, err)
	}
	return w, nil
}

// sheetOf picks the sheet: the one named (ignoring case), else the first.
func (s *Sheet) sheetOf(w *workbook) error {
	list := w.f.GetSheetList()
	if w.sheet == "" {
		if len(list) == 0 {
			return s.Errorf("the workbook has no sheet")
		}
		w.sheet = list[0]
		return nil
	}
	for _, n := range list {
		if strings.EqualFold(n, w.sheet) {
			w.sheet = n
			return nil
		}
	}
	return s.Errorf("no sheet %q (sheets: %s)", w.sheet, strings.Join(list, ", "))
}

// xrow is one sheet row read: values, their types, and cell problems.
type xrow struct {
	line     int
	values   []any
	types    []record.Type
	problems []string
}

// next reads the next row that is not blank, or returns nil at the end.
func (s *Sheet) next(w *workbook) (*xrow, error) {
	for w.rows.Next() {
		w.line++
		raw, err := w.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, s.Errorf("sheet %s row %d: %v", w.sheet, w.line, err)
		}
		meta, err := w.cells.at(w.line)
		if err != nil {
			return nil, s.Errorf("sheet %s row %d: %v", w.sheet, w.line, err)
		}
		r := &xrow{line: w.line, values: make([]any, len(raw)), types: make([]record.Type, len(raw))}
		blank := true
		for i, v := range raw {
			var c cell
			if i < len(meta) {
				c = meta[i]
			}
			var problem string
			r.values[i], r.types[i], problem = s.value(v, c, w.styles, w.date1904)
			if problem != "" {
				name, _ := excelize.CoordinatesToCellName(i+1, w.line)
				r.problems = append(r.problems, "cell "+name+" "+problem)
			}
			blank = blank && (r.values[i] == nil || r.values[i] == "" || strings.TrimSpace(v) == "")
		}
		if !blank {
			return r, nil
		}
	}
	if err := w.rows.Error(); err != nil {
		return nil, s.Errorf("sheet %s: %v", w.sheet, err)
	}
	return nil, nil
}

// header reads the first row that is not blank: names as text, trimmed;
// an empty name becomes column_<n>, a repeated one <name>_2.
func (s *Sheet) header(w *workbook) ([]string, error) {
	r, err := s.next(w)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, s.Errorf("sheet %s is empty: a header row is needed", w.sheet)
	}
	out := make([]string, len(r.values))
	seen := map[string]bool{}
	for i, v := range r.values {
		n := strings.TrimSpace(record.Text(v))
		if n == "" {
			n = "column_" + strconv.Itoa(i+1)
		}
		for k, base := 2, n; seen[n]; k++ {
			n = base + "_" + strconv.Itoa(k)
		}
		seen[n] = true
		out[i] = n
	}
	return out, nil
}

// Schema reads the header row, and the first data row for the column
// types (string when that row has no value in a column).
func (s *Sheet) Schema(context.Context) (record.Schema, error) {
	w, err := s.open()
	if err != nil {
		return record.Schema{}, err
	}
	defer w.Close()
	h, err := s.header(w)
	if err != nil {
		return record.Schema{}, err
	}
	first, err := s.next(w)
	if err != nil {
		return record.Schema{}, err
	}
	var sch record.Schema
	for i, n := range h {
		t := record.TypeString
		if first != nil && i < len(first.types) && first.types[i] != "" {
			t = first.types[i]
		}
		sch.Columns = append(sch.Columns, record.Column{Name: n, Type: t})
	}
	return sch, nil
}

// Scan streams the data rows after after.Row (blank rows are not rows).
func (s *Sheet) Scan(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w, err := s.open()
	if err != nil {
		return err
	}
	defer w.Close()
	header, err := s.header(w)
	if err != nil {
		return err
	}
	for n := int64(1); ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := s.next(w)
		if err != nil || r == nil {
			return err
		}
		if n <= after.Row {
			continue
		}
		if err := fn(s.record(header, r, w.sheet, n)); err != nil {
			return err
		}
	}
}

func (s *Sheet) record(header []string, r *xrow, sheet string, n int64) *record.Record {
	pos := record.Position{Source: s.Name, File: s.Display, Sheet: sheet, Line: int64(r.line), Row: n}
	rec := record.New(pos, header, r.values)
	problems := r.problems
	if len(r.values) > len(header) {
		var extra []string
		for i, v := range r.values[len(header):] {
			if v != nil {
				name, _ := excelize.CoordinatesToCellName(len(header)+i+1, r.line)
				extra = append(extra, name+"="+strconv.Quote(record.Text(v)))
			}
		}
		if len(extra) > 0 {
			problems = append(problems, fmt.Sprintf("row has cells beyond the header's %d columns (%s)", len(header), strings.Join(extra, ", ")))
		}
	}
	rec.Problem = strings.Join(problems, "; ")
	return rec
}
