package mapping

import (
	"path"
	"strings"
)

// FileValue is what file() returns: the file named Name in the entity's
// files directory (a source of kind files), or the bytes of a bytea or
// BLOB column (Data). The pipeline reads it (size limit, SHA-1); the
// loader sends its bytes, base64, for a binary field such as
// ir.attachment's datas.
type FileValue struct {
	Name string
	Data []byte
}

// fileFuncs are the functions for attachments:
//
//	file(name)      the file name (relative to the entity's files: directory)
//	                or the bytes of a bytea/BLOB column; nil when empty
//	mimetype(name)  the MIME type of a file name from its extension
//	                (application/octet-stream when unknown); nil when empty
func fileFuncs() []function {
	return []function{
		{"file", fileFn},
		{"mimetype", mimetypeFn},
	}
}

func fileFn(a ...any) (any, error) {
	if len(a) != 1 {
		return nil, findingf("MAP201", "file: want one argument (a file name or a column of bytes)")
	}
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case []byte:
		return &FileValue{Data: x}, nil
	case string:
		if strings.TrimSpace(x) == "" {
			return nil, nil
		}
		return &FileValue{Name: strings.TrimSpace(x)}, nil
	}
	return nil, findingf("MAP201", "file: want a file name or bytes, got %T", a[0])
}

func mimetypeFn(a ...any) (any, error) {
	if len(a) != 1 {
		return nil, findingf("MAP201", "mimetype: want one argument (a file name)")
	}
	if Empty(a[0]) {
		return nil, nil
	}
	return MimeType(str(a[0])), nil
}

// MimeType returns the MIME type of a file name from its extension, from
// a fixed table (the same on every machine, unlike the system's), in
// lower case as Odoo stores it; application/octet-stream when unknown
// (Odoo then guesses from the content).
func MimeType(name string) string {
	ext := strings.ToLower(path.Ext(strings.TrimSpace(name)))
	if t, ok := mimeTypes[ext]; ok {
		return t
	}
	return "application/octet-stream"
}

var mimeTypes = map[string]string{
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff",
	".webp": "image/webp", ".svg": "image/svg+xml", ".ico": "image/x-icon", ".heic": "image/heic",
	".txt": "text/plain", ".csv": "text/csv", ".tsv": "text/tab-separated-values", ".xml": "application/xml",
	".html": "text/html", ".htm": "text/html", ".json": "application/json", ".md": "text/markdown",
	".rtf": "application/rtf", ".eml": "message/rfc822", ".msg": "application/vnd.ms-outlook",
	".zip": "application/zip", ".gz": "application/gzip", ".7z": "application/x-7z-compressed",
	".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
	".odp": "application/vnd.oasis.opendocument.presentation", ".mp3": "audio/mpeg", ".wav": "audio/x-wav",
	".mp4": "video/mp4", ".mov": "video/quicktime",
}
