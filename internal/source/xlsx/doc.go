// Package xlsx reads a sheet of an Excel workbook (.xlsx) as rows: the
// first row is the header, cells are read as the text Excel shows (dates
// in the cell's number format), rows are streamed, and a row with more
// cells than the header is passed on with Record.Problem set, never
// dropped. Zip-bomb limits bound what a workbook may unpack to.
package xlsx
