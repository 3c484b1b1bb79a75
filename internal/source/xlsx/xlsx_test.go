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

func workbook(t *testing.T, extra bool) string {
	f := excelize.NewFile()
	defer f.Close()
	_, err := f.NewSheet("Customers")
	require.NoError(t, err)
	last := []any{30, "Eve"}
	if extra {
		last = []any{30, "Eve", nil, "extra"}
	}
	rows := [][]any{{"id", "name", "since"}, {10, "Zoë", time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)}, {20, "Bob"}, {}, last}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, f.SetSheetRow("Customers", cell, &r))
	}
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	require.NoError(t, f.SetCellStyle("Customers", "C2", "C2", style))
	p := filepath.Join(t.TempDir(), "legacy.xlsx")
	require.NoError(t, f.SaveAs(p))
	return p
}

func TestConformance(t *testing.T) {
	p := workbook(t, false)
	sourcetest.Run(t, func(*testing.T) source.Source { return New("legacy", p, "legacy.xlsx", "Customers") },
		[][]any{{"10", "Zoë", "03-04-21"}, {"20", "Bob", nil}, {"30", "Eve", nil}})
}

func TestCellsAndProblems(t *testing.T) {
	s := New("legacy", workbook(t, true), "legacy.xlsx", "Customers")
	var rows []*record.Record
	require.NoError(t, s.Scan(context.Background(), record.Position{}, func(r *record.Record) error { rows = append(rows, r); return nil }))
	require.Len(t, rows, 3, "the blank row is not a row")
	require.Equal(t, "Zoë", rows[0].Values["name"])
	require.Regexp(t, `^0?3-0?4-21$`, rows[0].Values["since"], "a date reads as Excel shows it")
	require.Equal(t, "Customers", rows[0].Pos.Sheet)
	require.Equal(t, int64(5), rows[2].Pos.Line)
	require.Equal(t, "4 cells where the header has 3", rows[2].Problem)
}

func TestErrors(t *testing.T) {
	p := workbook(t, false)
	_, err := New("legacy", p, "legacy.xlsx", "Nope").Schema(context.Background())
	require.ErrorContains(t, err, `no sheet "Nope"`)
	bad := filepath.Join(t.TempDir(), "bad.xlsx")
	require.NoError(t, os.WriteFile(bad, []byte("not a zip"), 0o600))
	_, err = New("legacy", bad, "bad.xlsx", "").Schema(context.Background())
	require.ErrorContains(t, err, "source legacy: bad.xlsx: not a readable .xlsx workbook")
}
