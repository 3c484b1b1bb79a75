package xlsx

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// cell is what excelize's row iterator does not tell: a cell's type
// attribute (s shared string, str formula text, inlineStr, b, e, d, or ""
// for a number) and its style, whose number format says whether a number
// is a date.
type cell struct {
	t     string
	style int
}

// cells streams a worksheet's XML beside excelize's iterator and gives,
// row by row, each cell's type and style.
type cells struct {
	rc    io.ReadCloser
	dec   *xml.Decoder
	row   int    // number of the row held in cur (0: none yet)
	cur   []cell // by column, 0-based
	done  bool
	empty []cell
}

// openCells opens the worksheet named sheet (matched as Excel does,
// ignoring case) of the workbook in file, size bytes long. The caller
// closes file after the cells.
func openCells(file io.ReaderAt, size int64, sheet string) (*cells, error) {
	zr, err := zip.NewReader(file, size)
	if err != nil {
		return nil, err
	}
	part, err := sheetPart(zr, sheet)
	if err != nil {
		return nil, err
	}
	f, err := zr.Open(part)
	if err != nil {
		return nil, fmt.Errorf("sheet %s: %w", sheet, err)
	}
	return &cells{rc: f, dec: xml.NewDecoder(f)}, nil
}

// at returns the cells of row n; rows must be asked for in order.
func (c *cells) at(n int) ([]cell, error) {
	for !c.done && c.row < n {
		if err := c.next(); err != nil {
			return nil, err
		}
	}
	if c.row == n {
		return c.cur, nil
	}
	return c.empty, nil
}

// next reads the next <row> element into cur.
func (c *cells) next() error {
	for {
		tok, err := c.dec.Token()
		if errors.Is(err, io.EOF) {
			c.done = true
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "row" {
			c.row = attrInt(se, "r", c.row+1)
			return c.readRow()
		}
	}
}

func (c *cells) readRow() error {
	c.cur = c.cur[:0]
	for {
		tok, err := c.dec.Token()
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local != "c" {
				continue
			}
			col := len(c.cur) + 1
			if ref := attr(e, "r"); ref != "" {
				if col, _, err = excelize.CellNameToCoordinates(ref); err != nil {
					return err
				}
			}
			for len(c.cur) < col {
				c.cur = append(c.cur, cell{})
			}
			c.cur[col-1] = cell{t: attr(e, "t"), style: attrInt(e, "s", 0)}
			if err := c.dec.Skip(); err != nil {
				return err
			}
		case xml.EndElement:
			if e.Name.Local == "row" {
				return nil
			}
		}
	}
}

// Close closes the worksheet and the archive.
func (c *cells) Close() error {
	return c.rc.Close()
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func attrInt(e xml.StartElement, name string, def int) int {
	if n, err := strconv.Atoi(attr(e, name)); err == nil {
		return n
	}
	return def
}

// sheetPart finds the archive path of a worksheet: the package's
// relationships name the workbook, whose relationships name the sheet.
func sheetPart(zr *zip.Reader, sheet string) (string, error) {
	var root rels
	if err := readXML(zr, "_rels/.rels", &root); err != nil {
		return "", err
	}
	wb := root.target("", "/officeDocument")
	if wb == "" {
		return "", errors.New("the package names no workbook")
	}
	var book struct {
		Sheets []struct {
			Name string     `xml:"name,attr"`
			Attr []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := readXML(zr, wb, &book); err != nil {
		return "", err
	}
	var wbRels rels
	if err := readXML(zr, path.Join(path.Dir(wb), "_rels", path.Base(wb)+".rels"), &wbRels); err != nil {
		return "", err
	}
	for _, s := range book.Sheets {
		if !strings.EqualFold(s.Name, sheet) {
			continue
		}
		for _, a := range s.Attr {
			if a.Name.Local == "id" && a.Name.Space != "" {
				if p := wbRels.byID(path.Dir(wb), a.Value); p != "" {
					return p, nil
				}
			}
		}
	}
	return "", fmt.Errorf("no worksheet part for sheet %s", sheet)
}

type rels struct {
	Rel []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

func (r rels) target(dir, typeSuffix string) string {
	for _, x := range r.Rel {
		if strings.HasSuffix(x.Type, typeSuffix) {
			return resolvePart(dir, x.Target)
		}
	}
	return ""
}

func (r rels) byID(dir, id string) string {
	for _, x := range r.Rel {
		if x.ID == id {
			return resolvePart(dir, x.Target)
		}
	}
	return ""
}

func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return path.Join(dir, target)
}

// readXML decodes a small part of the archive (at most 64 MiB).
func readXML(zr *zip.Reader, name string, v any) error {
	f, err := zr.Open(name)
	if err != nil {
		return fmt.Errorf("part %s: %w", name, err)
	}
	defer f.Close()
	if err := xml.NewDecoder(io.LimitReader(f, 64<<20)).Decode(v); err != nil {
		return fmt.Errorf("part %s: %w", name, err)
	}
	return nil
}
