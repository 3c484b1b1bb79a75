// Package csv reads delimited text exports as sources.
//
// A File is one file, plain or gzip-compressed (recognised by its magic
// bytes). Its encoding is declared in the plan or detected: a UTF-8 or
// UTF-16 byte-order mark, UTF-16 by its zero bytes, else UTF-8 unless the
// content holds more byte sequences UTF-8 cannot than valid multi-byte
// characters, then Windows-1252. A declaration that contradicts the file
// (utf-16 on a file without UTF-16 text) is an error. The delimiter
// (comma, semicolon, tab or pipe) is the one that splits the header line
// into the most cells.
//
// The first row is the header: names are trimmed, an empty name becomes
// column_<n> and a repeated one <name>_2, <name>_3, so every cell has a
// column. Quoted cells may span lines; Position.Line is the physical line
// where a row starts and Position.Row its 1-based data row.
//
// Every data row becomes a record. A row that can be delimited but not
// read cleanly is passed on with Record.Problem set, never dropped: a row
// with more or fewer cells than the header (the extra cells are quoted in
// the problem), a cell that is not valid text in the encoding, text after
// a closing quote. A quoted cell that is never closed would swallow the
// rest of the file: instead its first line becomes a row with a problem
// and reading resumes on the next line.
//
// New reads a local file; NewFS reads one of a source.FS, such as an SFTP
// server, streaming it again for each Schema, Scan and Digest.
//
// A Set is several files read as one source (a directory or a glob):
// files in name order, each with the same columns, positions naming each
// file.
package csv
