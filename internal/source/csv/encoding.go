package csv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// charset is a file's text encoding.
type charset struct {
	name string            // as positions and problems name it
	enc  encoding.Encoding // nil for UTF-8
	skip int               // bytes of a UTF-8 byte-order mark to skip
}

// Encodings lists the encodings a plan may declare.
var Encodings = []string{"utf-8", "utf-16", "utf-16le", "utf-16be", "windows-1252", "iso-8859-1", "iso-8859-15"}

var (
	utf16BOM = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM) // honours either byte order's BOM
	utf16LE  = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	utf16BE  = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
)

// declared returns the encoding a plan names, checked against the start of
// the file so that a wrong declaration is an error, not garbled rows.
func declared(name string, head []byte) (charset, error) {
	bom16 := bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF})
	switch strings.ToLower(strings.ReplaceAll(name, "_", "-")) {
	case "utf-8", "utf8":
		if bom16 {
			return charset{}, errors.New("declared utf-8 but the file starts with a UTF-16 byte-order mark: declare utf-16 or leave the encoding out")
		}
		return charset{name: "utf-8", skip: bomLen(head)}, nil
	case "utf-16", "utf16":
		if bom16 {
			return charset{name: "utf-16", enc: utf16BOM}, nil
		}
		if cs, ok := sniffUTF16(head); ok {
			return cs, nil
		}
		return charset{}, errors.New("declared utf-16 but the file has no byte-order mark and no UTF-16 text: check the encoding")
	case "utf-16le":
		return charset{name: "utf-16le", enc: unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)}, nil
	case "utf-16be":
		return charset{name: "utf-16be", enc: unicode.UTF16(unicode.BigEndian, unicode.UseBOM)}, nil
	case "windows-1252", "cp1252":
		return charset{name: "windows-1252", enc: charmap.Windows1252}, nil
	case "iso-8859-1", "latin1", "latin-1":
		return charset{name: "iso-8859-1", enc: charmap.ISO8859_1}, nil
	case "iso-8859-15", "latin9", "latin-9":
		return charset{name: "iso-8859-15", enc: charmap.ISO8859_15}, nil
	}
	return charset{}, fmt.Errorf("unknown encoding %q (%s)", name, strings.Join(Encodings, ", "))
}

func bomLen(head []byte) int {
	if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		return 3
	}
	return 0
}

// detect guesses the encoding: a byte-order mark, else UTF-16 by its zero
// bytes, else UTF-8 unless the file holds byte sequences UTF-8 cannot and
// fewer valid multi-byte characters than invalid ones, then
// Windows-1252 (which reads ISO-8859-1 text the same way). The whole
// content is read, so a single accented name deep in the file counts.
func detect(head []byte, all io.Reader) (charset, error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return charset{name: "utf-8", skip: 3}, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return charset{name: "utf-16", enc: utf16BOM}, nil
	}
	if cs, ok := sniffUTF16(head); ok {
		return cs, nil
	}
	valid, invalid, err := classify(all)
	if err != nil {
		return charset{}, err
	}
	if invalid > 0 && valid < invalid {
		return charset{name: "windows-1252", enc: charmap.Windows1252}, nil
	}
	return charset{name: "utf-8"}, nil
}

// sniffUTF16 recognises UTF-16 text without a byte-order mark by the zero
// bytes of its ASCII characters.
func sniffUTF16(head []byte) (charset, bool) {
	n := min(len(head), 4096) &^ 1
	if n < 4 {
		return charset{}, false
	}
	even, odd := 0, 0
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*3 > pairs && even*10 < pairs:
		return charset{name: "utf-16le", enc: utf16LE}, true
	case even*3 > pairs && odd*10 < pairs:
		return charset{name: "utf-16be", enc: utf16BE}, true
	}
	return charset{}, false
}

// classify counts valid multi-byte UTF-8 characters and invalid bytes. It
// stops early once invalid bytes were seen in the first MiB.
func classify(r io.Reader) (valid, invalid int, err error) {
	buf := make([]byte, 64<<10)
	carry, read := 0, 0
	for {
		n, rerr := io.ReadFull(r, buf[carry:])
		end := carry + n
		read += n
		last := errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF)
		if rerr != nil && !last {
			return 0, 0, rerr
		}
		i := 0
		for i < end {
			c := buf[i]
			if c < utf8.RuneSelf {
				i++
				continue
			}
			if !last && !utf8.FullRune(buf[i:end]) {
				break
			}
			r, size := utf8.DecodeRune(buf[i:end])
			if r == utf8.RuneError && size == 1 {
				invalid++
			} else {
				valid++
			}
			i += size
		}
		carry = copy(buf, buf[i:end])
		if last || (invalid > 0 && read >= 1<<20) {
			return valid, invalid, nil
		}
	}
}
