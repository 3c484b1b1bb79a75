// Package xlsx reads a sheet of an Excel workbook (.xlsx) as a source.
//
// The sheet is chosen by name (ignoring case, as Excel does) or is the
// first one. Rows are streamed with excelize's row iterator; beside it the
// sheet's XML is streamed for what the iterator does not tell, each cell's
// type and style. The first row that is not blank is the header (names
// trimmed; an empty one becomes column_<n>, a repeated one <name>_2);
// blank rows are not rows. Position.Line is the sheet's row number and
// Position.Row the 1-based data row.
//
// Cells keep their types: text as string, booleans as bool, whole numbers
// as int64, other numbers as float64, and numbers whose format is a date
// or time as ISO text, the form Odoo's load accepts: YYYY-MM-DD,
// YYYY-MM-DD HH:MM:SS or HH:MM:SS (1900 and 1904 date systems). The
// schema types a column by its first data row. A row is passed on with
// Record.Problem set, never dropped, when a cell holds an Excel error
// (#N/A, #REF!) or when it has cells beyond the header's columns (quoted
// in the problem). Zip-bomb limits bound what a workbook may unpack to.
// New reads a local workbook; NewFS one of a source.FS (an SFTP server).
// Either way excelize holds the workbook in memory while it is open, and
// a sheet over 16 MiB of XML in a 0600 temp file it removes on close.
package xlsx
