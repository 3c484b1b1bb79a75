package orm

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // Odoo's ir.attachment checksum is SHA-1
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Attachments (ir.attachment) as Odoo 18 and 19 store them (checked
// against both): datas is base64 in and out, decoded the way Python's
// b64decode does (characters outside the alphabet skipped, input after
// the padding ignored); checksum is the SHA-1 of the bytes, file_size
// their length, store_fname the filestore path; checksum, file_size and
// store_fname are never taken from the caller. The mimetype is the one
// given (in lower case), else guessed from the name, else from the bytes.
// res_id (a many2one_reference) is a plain integer, 0 when empty. A
// created attachment without datas has no checksum; a write of empty
// datas has the SHA-1 of nothing, as in Odoo. Images are stored as sent,
// as Odoo does with image_no_postprocess in the context (which Ferry
// sends); without it Odoo shrinks those over 1920×1920 (checked on 18).

// rawKey is where a record keeps an attachment's bytes (datas is not stored).
const rawKey = "\x00raw"

// BinasciiError is Python's binascii.Error, raised by a bad base64 value.
const BinasciiError = "binascii.Error"

// attachmentVals prepares the values of an ir.attachment create (id 0) or
// write as Odoo's create and write do: it drops what Odoo computes,
// computes the mimetype and decodes datas into the content fields.
func (db *DB) attachmentVals(m *Model, id int64, vals map[string]any) (map[string]any, error) {
	if m.Name != "ir.attachment" {
		return vals, nil
	}
	out := make(map[string]any, len(vals)+6)
	for k, v := range vals {
		switch k {
		case "file_size", "checksum", "store_fname":
		case "res_id":
			out[k] = toInt(v)
		default:
			out[k] = v
		}
	}
	datas, hasDatas := out["datas"]
	delete(out, "datas")
	_, hasMime := out["mimetype"]
	if id == 0 {
		if out["type"] == nil {
			out["type"] = "binary"
		}
		if out["company_id"] == nil {
			out["company_id"] = int64(1)
		}
	}
	var raw []byte
	if hasDatas && datas != nil && datas != false {
		s, _ := datas.(string)
		b, err := b64decode(s)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	if id == 0 || hasMime || hasDatas {
		out["mimetype"] = guessMimetype(out, raw)
	}
	if !hasDatas || (id == 0 && (datas == nil || datas == false || datas == "")) {
		return out, nil
	}
	sum := sha1.Sum(raw) //nolint:gosec // see the import
	checksum := hex.EncodeToString(sum[:])
	out[rawKey], out["file_size"], out["checksum"] = raw, int64(len(raw)), checksum
	out["store_fname"], out["index_content"] = checksum[:2]+"/"+checksum, indexContent(raw, text(out["mimetype"]))
	if len(raw) == 0 {
		out["store_fname"] = nil
	}
	return out, nil
}

// attachmentRead answers the fields whose read form is not their stored
// form: datas (the bytes in base64, "" when none) and many2one_reference
// fields (an integer, 0 when empty).
func (db *DB) attachmentRead(m *Model, f *Field, rec map[string]any) (any, bool) {
	switch {
	case m.Name == "ir.attachment" && f.Name == "datas":
		raw, _ := rec[rawKey].([]byte)
		return base64.StdEncoding.EncodeToString(raw), true
	case f.Type == "many2one_reference":
		return toInt(rec[f.Name]), true
	}
	return nil, false
}

// setStored stores the values attachmentVals added that are no fields.
func (db *DB) setStored(m *Model, id int64, vals map[string]any) map[string]any {
	raw, ok := vals[rawKey]
	if !ok {
		return vals
	}
	m.recs[id][rawKey] = raw
	out := make(map[string]any, len(vals))
	for k, v := range vals {
		if k != rawKey {
			out[k] = v
		}
	}
	return out
}

// b64decode is Python's base64.b64decode(s) (binascii.a2b_base64 without
// strict mode), with its error messages.
func b64decode(s string) ([]byte, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out bytes.Buffer
	quad, pads := 0, 0
	var left byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			if quad >= 2 {
				pads++
				if quad+pads >= 4 {
					return out.Bytes(), nil
				}
			}
			continue
		}
		v := strings.IndexByte(alphabet, c)
		if v < 0 {
			continue
		}
		pads = 0
		b := byte(v)
		switch quad {
		case 0:
			quad, left = 1, b
		case 1:
			out.WriteByte(left<<2 | b>>4)
			quad, left = 2, b&0x0f
		case 2:
			out.WriteByte(left<<4 | b>>2)
			quad, left = 3, b&0x03
		case 3:
			out.WriteByte(left<<6 | b)
			quad, left = 0, 0
		}
	}
	switch quad {
	case 0:
		return out.Bytes(), nil
	case 1:
		return nil, &Exception{Class: BinasciiError, Message: fmt.Sprintf(
			"Invalid base64-encoded string: number of data characters (%d) cannot be 1 more than a multiple of 4", out.Len()/3*4+1)}
	}
	return nil, &Exception{Class: BinasciiError, Message: "Incorrect padding"}
}

// guessMimetype is Odoo's _compute_mimetype: the given type in lower
// case, else from the name's extension, else (or for
// application/octet-stream) from the bytes.
func guessMimetype(vals map[string]any, raw []byte) string {
	mt := strings.ToLower(text(vals["mimetype"]))
	if mt == "" {
		mt = extensionTypes[strings.ToLower(path.Ext(text(vals["name"])))]
	}
	if (mt == "" || mt == "application/octet-stream") && len(raw) > 0 {
		mt = sniff(raw)
	}
	if mt == "" {
		return "application/octet-stream"
	}
	return mt
}

// extensionTypes are the types Python's mimetypes module gives the
// extensions a migration meets.
var extensionTypes = map[string]string{
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff", ".webp": "image/webp",
	".svg": "image/svg+xml", ".txt": "text/plain", ".csv": "text/csv", ".html": "text/html", ".htm": "text/html",
	".xml": "text/xml", ".json": "application/json", ".zip": "application/zip", ".doc": "application/msword",
	".xls": "application/vnd.ms-excel", ".eml": "message/rfc822",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".odt":  "application/vnd.oasis.opendocument.text",
}

// sniff is a small guess_mimetype: the magic numbers of the common
// formats, text for printable UTF-8.
func sniff(raw []byte) string {
	for _, m := range []struct{ magic, mt string }{
		{"%PDF", "application/pdf"}, {"\x89PNG\r\n\x1a\n", "image/png"}, {"\xff\xd8\xff", "image/jpeg"},
		{"GIF87a", "image/gif"}, {"GIF89a", "image/gif"}, {"PK\x03\x04", "application/zip"},
	} {
		if bytes.HasPrefix(raw, []byte(m.magic)) {
			return m.mt
		}
	}
	if utf8.Valid(raw) && !bytes.ContainsFunc(raw, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }) {
		return "text/plain"
	}
	return "application/octet-stream"
}

var printable = regexp.MustCompile(`[\x20-\x7E]{4,}`)

// indexContent is Odoo's _index: the printable words of a text file, else
// the type's first part.
func indexContent(raw []byte, mimetype string) any {
	kind, _, _ := strings.Cut(mimetype, "/")
	if kind != "text" {
		if kind == "" {
			return nil
		}
		return kind
	}
	return string(bytes.Join(printable.FindAll(raw, -1), []byte("\n")))
}

// importFailure is load's message for a record whose write raised: a
// UserError's text, else Odoo's "Unknown error during import" with the
// Python class.
func (r *loadRun) importFailure(err error) map[string]any {
	if e, ok := err.(*Exception); ok && e.Class == BinasciiError {
		return map[string]any{"type": "error", "message": fmt.Sprintf("Unknown error during import: <class '%s'>: %s", e.Class, e.Message),
			"moreinfo": "Resolve other errors first"}
	}
	return map[string]any{"type": "error", "message": r.writeMessage(err)}
}
