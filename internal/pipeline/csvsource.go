package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
)

// openBuiltin opens CSV files with a small built-in reader; it stands in
// for the source package's opener when Options.Open is nil.
func openBuiltin(_ context.Context, name string, spec source.Spec, sel source.Select, dir string) (source.Source, error) {
	if spec.Kind != "csv" {
		return nil, fmt.Errorf("source %s: kind %s needs a source opener", name, spec.Kind)
	}
	path := filepath.Join(spec.Path, sel.File)
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return &csvFile{name: name, path: path, display: sel.File}, nil
}

type csvFile struct {
	name, path, display string
	header              []string
}

func (c *csvFile) open() (*os.File, *csv.Reader, error) {
	f, err := os.Open(c.path)
	if err != nil {
		return nil, nil, fmt.Errorf("source %s: %w", c.name, err)
	}
	br := bufio.NewReaderSize(f, 1<<16)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	return f, r, nil
}

func (c *csvFile) Schema(context.Context) (record.Schema, error) {
	f, r, err := c.open()
	if err != nil {
		return record.Schema{}, err
	}
	defer f.Close()
	h, err := r.Read()
	if err != nil {
		return record.Schema{}, fmt.Errorf("source %s: %s: header: %w", c.name, c.display, err)
	}
	c.header = h
	var s record.Schema
	for _, n := range h {
		s.Columns = append(s.Columns, record.Column{Name: n, Type: record.TypeString})
	}
	return s, nil
}

func (c *csvFile) Scan(ctx context.Context, after record.Position, fn func(*record.Record) error) error {
	f, r, err := c.open()
	if err != nil {
		return err
	}
	defer f.Close()
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("source %s: %s: header: %w", c.name, c.display, err)
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

func (c *csvFile) record(header, vals []string, err error, line, n int64) (*record.Record, error) {
	var pe *csv.ParseError
	if err != nil && !errors.As(err, &pe) {
		return nil, fmt.Errorf("source %s: %s: %w", c.name, c.display, err)
	}
	anys := make([]any, len(vals))
	for i, v := range vals {
		anys[i] = v
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

func (c *csvFile) Close() error { return nil }
