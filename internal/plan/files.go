package plan

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/invopop/jsonschema"

	"github.com/ferry-migrate/ferry/internal/diag"
)

// FilesKind is the kind of a source that holds files, not rows: a
// directory (local, or sftp://user@host/dir with ssh:) whose files an
// entity's file() expressions read. An entity names it in files:.
const FilesKind = "files"

// Defaults of the file limits (load.max_file_size, load.batch_bytes).
const (
	DefaultMaxFileSize = 25 << 20
	DefaultBatchBytes  = 64 << 20
)

// ByteSize is a number of bytes, written as an integer or with a unit:
// 512KiB, 25MiB, 1GiB (powers of 1024), 10MB (powers of 1000), 300B.
type ByteSize int64

var byteSizeRe = regexp.MustCompile(`^\s*([0-9]+)\s*(B|KB|MB|GB|KiB|MiB|GiB)?\s*$`)

var byteUnits = map[string]int64{"": 1, "B": 1, "KB": 1000, "MB": 1000 * 1000, "GB": 1000 * 1000 * 1000,
	"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}

// ParseByteSize reads "25MiB", "10 MB", "300" or "300B".
func ParseByteSize(s string) (ByteSize, error) {
	m := byteSizeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a size (write 25MiB, 512KiB, 10MB or a number of bytes)", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n > (1<<62)/byteUnits[m[2]] {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return ByteSize(n * byteUnits[m[2]]), nil
}

// UnmarshalYAML accepts an integer or a string with a unit.
func (b *ByteSize) UnmarshalYAML(raw []byte) error {
	var n int64
	if err := yaml.Unmarshal(raw, &n); err == nil {
		*b = ByteSize(n)
		return nil
	}
	var s string
	if err := yaml.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("want a size such as 25MiB")
	}
	v, err := ParseByteSize(s)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// String renders the size with the largest binary unit that divides it.
func (b ByteSize) String() string {
	for _, u := range []string{"GiB", "MiB", "KiB"} {
		if d := byteUnits[u]; b > 0 && int64(b)%d == 0 {
			return strconv.FormatInt(int64(b)/d, 10) + " " + u
		}
	}
	return strconv.FormatInt(int64(b), 10) + " B"
}

// JSONSchema describes a positive integer or a size with a unit.
func (ByteSize) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{
		{Type: "integer", Minimum: "1"},
		{Type: "string", Pattern: byteSizeRe.String()},
	}, Description: "bytes: an integer, or 25MiB, 512KiB, 10MB"}
}

// FileLimits returns the largest file an entity's file() may read and the
// most file bytes one load call of it may carry (never less than the
// largest file): the entity's max_file_size, else the plan's load
// options, else the defaults.
func (p *Plan) FileLimits(e *Entity) (maxFile, batch int64) {
	maxFile, batch = DefaultMaxFileSize, DefaultBatchBytes
	if p.Load.MaxFileSize > 0 {
		maxFile = int64(p.Load.MaxFileSize)
	}
	if e != nil && e.MaxFileSize > 0 {
		maxFile = int64(e.MaxFileSize)
	}
	if p.Load.BatchBytes > 0 {
		batch = int64(p.Load.BatchBytes)
	}
	return maxFile, max(batch, maxFile)
}

// files checks an entity's files: (a source of kind files) and that no
// selection reads rows from a files source.
func (c *checker) files(p *Plan, e *Entity, at []string) {
	if e.Files != "" {
		path := append(append([]string(nil), at...), "files")
		switch s, ok := p.Sources[e.Files]; {
		case !ok:
			c.add("CFG103", path, fmt.Sprintf("unknown source %q", e.Files), "declare it under sources: with kind: files")
		case s.Kind != FilesKind:
			c.add("CFG111", path, fmt.Sprintf("files: names source %s, of kind %s", e.Files, s.Kind),
				"name a source of kind files (a directory: path: ./scans, or sftp://user@host/dir with ssh:)")
		case strings.TrimSpace(s.Path) == "":
			c.add("CFG111", []string{"sources", e.Files}, fmt.Sprintf("source %s of kind files has no path:", e.Files),
				"write path: ./scans, or sftp://user@host/dir with ssh:")
		}
	}
	sels := map[string]string{"from": e.From.Source}
	for j, l := range e.Lines {
		sels[fmt.Sprintf("lines/%d/from", j)] = l.From.Source
	}
	for k, name := range sels {
		if s, ok := p.Sources[name]; ok && s.Kind == FilesKind {
			path := append(append([]string(nil), at...), append(strings.Split(k, "/"), "source")...)
			c.add("CFG111", path, fmt.Sprintf("source %s holds files, not rows", name),
				"read the rows from an index (a csv of file names, a table) and name "+name+" in the entity's files:")
		}
	}
}

func init() {
	diag.Codes = append(diag.Codes,
		diag.Code{Code: "CFG111", Summary: "a files source used as rows, or files: naming a source that is not of kind files"},
	)
}
