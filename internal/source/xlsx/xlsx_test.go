package xlsx

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

type styled struct {
	cell string
	fmt  int
	code string
}

// book writes a workbook whose sheet "Customers" holds rows from A1,
// with number formats applied to cells; the first sheet is "Notes".
func book(t *testing.T, rows [][]any, formats []styled, props *excelize.WorkbookPropsOptions) string {
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetName("Sheet1", "Notes"))
	require.NoError(t, f.SetCellValue("Notes", "A1", "not this sheet"))
	_, err := f.NewSheet("Customers")
	require.NoError(t, err)
	if props != nil {
		require.NoError(t, f.SetWorkbookProps(props))
	}
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, f.SetSheetRow("Customers", cell, &r))
	}
	for _, s := range formats {
		st := &excelize.Style{NumFmt: s.fmt}
		if s.code != "" {
			st.CustomNumFmt = &s.code
		}
		id, err := f.NewStyle(st)
		require.NoError(t, err)
		require.NoError(t, f.SetCellStyle("Customers", s.cell, s.cell, id))
	}
	p := filepath.Join(t.TempDir(), "legacy.xlsx")
	require.NoError(t, f.SaveAs(p))
	return p
}

func scan(t *testing.T, s source.Source, after record.Position) []*record.Record {
	var out []*record.Record
	require.NoError(t, s.Scan(context.Background(), after, func(r *record.Record) error { out = append(out, r); return nil }))
	return out
}

var since = time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)

func TestConformance(t *testing.T) {
	p := book(t, [][]any{{"id", "name", "since"}, {10, "Zoë", since}, {20, "Bob"}, nil, {30, "Eve", 1.5}},
		[]styled{{cell: "C2", fmt: 14}}, nil)
	sourcetest.Run(t, func(*testing.T) source.Source { return New("legacy", p, "legacy.xlsx", "customers") },
		[][]any{{int64(10), "Zoë", "2021-03-04"}, {int64(20), "Bob", nil}, {int64(30), "Eve", 1.5}})
}

func TestTypedCells(t *testing.T) {
	at := time.Date(2021, 3, 4, 12, 30, 15, 0, time.UTC)
	p := book(t, [][]any{
		{"id", "name", "active", "amount", "date", "custom", "stamp", "clock", "code"},
		{1, "Zoë", true, 12.5, since, since, at, at, "007"},
		{2, "", false, -3, since, since, at, at, 42},
	}, []styled{
		{cell: "E2", fmt: 14}, {cell: "E3", fmt: 15},
		{cell: "F2", code: `dd/mm/yyyy`}, {cell: "F3", code: `[$-409]d" de "mmmm yyyy;@`},
		{cell: "G2", fmt: 22}, {cell: "G3", code: "yyyy-mm-dd hh:mm"},
		{cell: "H2", fmt: 21}, {cell: "H3", code: "[h]:mm:ss"},
	}, nil)
	s := New("legacy", p, "legacy.xlsx", "Customers")
	sch, err := s.Schema(context.Background())
	require.NoError(t, err)
	require.Equal(t, []record.Column{
		{Name: "id", Type: record.TypeInt}, {Name: "name", Type: record.TypeString}, {Name: "active", Type: record.TypeBool},
		{Name: "amount", Type: record.TypeFloat}, {Name: "date", Type: record.TypeDate}, {Name: "custom", Type: record.TypeDate},
		{Name: "stamp", Type: record.TypeDateTime}, {Name: "clock", Type: record.TypeString}, {Name: "code", Type: record.TypeString},
	}, sch.Columns)
	rows := scan(t, s, record.Position{})
	require.Len(t, rows, 2)
	want := [][]any{
		{int64(1), "Zoë", true, 12.5, "2021-03-04", "2021-03-04", "2021-03-04 12:30:15", "12:30:15", "007"},
		{int64(2), nil, false, int64(-3), "2021-03-04", "2021-03-04", "2021-03-04 12:30:15", "12:30:15", int64(42)},
	}
	for i, r := range rows {
		for j, c := range sch.Columns {
			require.Equal(t, want[i][j], r.Values[c.Name], "row %d column %s", i+1, c.Name)
		}
		require.Empty(t, r.Problem)
	}
}

func TestDate1904(t *testing.T) {
	yes := true
	p := book(t, [][]any{{"d"}, {since}}, []styled{{cell: "A2", fmt: 14}}, &excelize.WorkbookPropsOptions{Date1904: &yes})
	rows := scan(t, New("legacy", p, "legacy.xlsx", "Customers"), record.Position{})
	require.Equal(t, "2021-03-04", rows[0].Values["d"])
}

func TestRowsAndProblems(t *testing.T) {
	p := book(t, [][]any{nil, {" id ", "", "id"}, {10, "a"}, nil, {nil, nil, nil}, {30, "b", "c", nil, "extra"}, {40}},
		nil, nil)
	s := New("legacy", p, "legacy.xlsx", "Customers")
	sch, err := s.Schema(context.Background())
	require.NoError(t, err)
	require.Equal(t, []string{"id", "column_2", "id_2"}, sch.Names())
	rows := scan(t, s, record.Position{})
	require.Len(t, rows, 3, "blank rows are not rows")
	require.Equal(t, record.Position{Source: "legacy", File: "legacy.xlsx", Sheet: "Customers", Line: 6, Row: 2}, rows[1].Pos)
	require.Equal(t, `row has cells beyond the header's 3 columns (E6="extra")`, rows[1].Problem)
	require.Equal(t, "legacy.xlsx[Customers]:7", rows[2].Pos.String())
	rest := scan(t, s, rows[0].Pos)
	require.Len(t, rest, 2)
	require.Equal(t, int64(40), rest[1].Values["id"])
}

func TestErrorCellIsAProblem(t *testing.T) {
	f := excelize.NewFile()
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"id", "price"}))
	require.NoError(t, f.SetSheetRow("Sheet1", "A2", &[]any{1}))
	require.NoError(t, f.SetCellFormula("Sheet1", "B2", "1/0"))
	p := filepath.Join(t.TempDir(), "err.xlsx")
	require.NoError(t, f.SaveAs(p))
	require.NoError(t, f.Close())
	patchCell(t, p, `<c r="B2" t="str"><f>1/0</f></c>`, `<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>`)
	rows := scan(t, New("legacy", p, "err.xlsx", ""), record.Position{})
	require.Len(t, rows, 1)
	require.Equal(t, "#DIV/0!", rows[0].Values["price"])
	require.Equal(t, "cell B2 holds the Excel error #DIV/0!", rows[0].Problem)
}

func TestErrors(t *testing.T) {
	p := book(t, [][]any{{"id"}, {1}}, nil, nil)
	bad := filepath.Join(t.TempDir(), "bad.xlsx")
	require.NoError(t, os.WriteFile(bad, []byte("not a zip"), 0o600))
	empty := filepath.Join(t.TempDir(), "empty.xlsx")
	f := excelize.NewFile()
	require.NoError(t, f.SaveAs(empty))
	require.NoError(t, f.Close())
	cases := []struct{ name, path, sheet, want string }{
		{"no such sheet", p, "Nope", `source legacy: legacy.xlsx: no sheet "Nope" (sheets: Notes, Customers)`},
		{"not a workbook", bad, "", "source legacy: legacy.xlsx: not a readable .xlsx workbook"},
		{"missing file", filepath.Join(t.TempDir(), "gone.xlsx"), "", "source legacy: legacy.xlsx: the file does not exist (looked for "},
		{"empty sheet", empty, "", "source legacy: legacy.xlsx: sheet Sheet1 is empty: a header row is needed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New("legacy", c.path, "legacy.xlsx", c.sheet)
			_, err := s.Schema(context.Background())
			require.ErrorContains(t, err, c.want)
			require.ErrorContains(t, s.Scan(context.Background(), record.Position{}, func(*record.Record) error { return nil }), c.want)
		})
	}
}

func TestCustomFormatKinds(t *testing.T) {
	for code, want := range map[string]dateKind{
		"General": notDate, "0.00": notDate, "#,##0.00 €": notDate, `0.0" days"`: notDate, "[Red]0.00": notDate,
		"0.00E+00": notDate, "@": notDate, `_("$"* #,##0.00_)`: notDate,
		"dd/mm/yyyy": dateOnly, "mmm-yy": dateOnly, "[$-409]mmmm d, yyyy": dateOnly,
		"hh:mm": timeOnly, "[h]:mm:ss": timeOnly, "mm:ss": timeOnly, "h:mm AM/PM": timeOnly,
		"yyyy-mm-dd hh:mm:ss": dateTime, "m/d/yy h:mm": dateTime,
	} {
		require.Equal(t, want, customKind(code), code)
	}
}
