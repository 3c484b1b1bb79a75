// Package csvfile reads delimited text exports: the delimiter is detected
// from the header (comma, semicolon, tab, pipe), the encoding is declared
// or detected (a UTF-8 or UTF-16 byte-order mark, else valid UTF-8, else
// Windows-1252), quoted cells may span lines, and every data row becomes a
// record — a ragged or unparsable row is passed on with Record.Problem set,
// never dropped. Positions carry the physical line where a row starts.
package csvfile
