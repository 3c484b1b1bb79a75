package pipeline

import (
	"context"
	"crypto/sha1" //nolint:gosec // Odoo's ir.attachment checksum is SHA-1; it names content, it guards nothing
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source/open"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// CodeFile is the finding of a row whose file() cannot be read: missing,
// unreadable, larger than max_file_size, outside the files directory, or
// named by an entity without files:.
const CodeFile = "MAP219"

func init() {
	diag.Codes = append(diag.Codes, diag.Code{Code: CodeFile,
		Summary: "a file file() names is missing, unreadable, larger than max_file_size or outside the entity's files directory: the row is quarantined"})
}

// filesState is a Stream's files directory (an entity's files:), opened
// for its first pass and closed at its end.
type filesState struct {
	dir     *open.Dir
	maxFile int64
	batch   int64
	bytes   int64 // bytes of the source rows in the current batch
}

// openFiles opens the entity's files directory for the first pass; a
// directory that cannot be opened stops the stream (a plan or connection
// problem, not a row's).
func (r *streamRun) openFiles(ctx context.Context) error {
	maxFile, batch := r.p.plan.FileLimits(r.c.e)
	r.files = &filesState{maxFile: maxFile, batch: batch}
	name := r.c.e.Files
	if name == "" || r.e.Pass != 1 {
		return nil
	}
	d, err := open.Files(ctx, name, r.p.plan.Sources[name], r.p.plan.Dir)
	if err != nil {
		return fmt.Errorf("entity %s: files: %w", r.e.Name, err)
	}
	r.files.dir = d
	return nil
}

func (r *streamRun) closeFiles() {
	if r.files != nil && r.files.dir != nil {
		_ = r.files.dir.Close()
	}
}

// full adds the bytes a source row carries (bytea and BLOB columns) to
// the batch's and reports whether the batch holds as many as one load call
// may carry: the batch is then resolved and handed on, so rows with file
// contents never pile up beyond load.batch_bytes.
func (r *streamRun) full(rec *record.Record) bool {
	if r.files == nil {
		return false
	}
	for _, v := range rec.Values {
		if b, ok := v.([]byte); ok {
			r.files.bytes += int64(len(b))
		}
	}
	return r.files.bytes >= r.files.batch
}

// attachmentValue converts what only attachments carry: a file() value
// (into a binary field) and a reference into an integer field such as
// ir.attachment's res_id (a many2one_reference: Odoo stores the database
// id). ok is false for every other value.
func (c *converter) attachmentValue(v any, f *validate.Field) (any, bool) {
	if fv, isFile := v.(*mapping.FileValue); isFile {
		return c.file(fv, f), true
	}
	if f == nil || (f.Type != "many2one_reference" && f.Type != "integer") {
		return nil, false
	}
	switch x := v.(type) {
	case mapping.RefValue:
		return c.idRef(x), true
	case mapping.LookupValue:
		ref, ok := c.lookupRef(x, f)
		if r, isRef := ref.(record.Ref); ok && isRef {
			return r.ID, true
		}
		return nil, true
	}
	if f.Type == "many2one_reference" {
		return c.integer(v), true
	}
	return nil, false
}

// idRef resolves ref() for an integer field to the record it names; the
// loader sends that record's database id. The field holding the model
// (res_model beside res_id) must name the referenced entity's model.
func (c *converter) idRef(x mapping.RefValue) any {
	ref, ok := c.planRef(x, nil)
	if !ok || ref == nil {
		return nil
	}
	target := c.r.p.plan.Entity(x.Entity)
	if mf := modelField(c.r.c.e.Model, c.field); mf != "" && !strings.Contains(c.field, ".") {
		got, mapped := c.w.values[mf]
		if s, _ := got.(string); !mapped || s != target.Model {
			c.fail("VAL306", fmt.Sprintf("%s references %s %s, a record of %s, but %s is %q", c.field, x.Entity,
				displayKey(x.Key, false), target.Model, mf, text(got)), fmt.Sprintf("map %s: '\"%s\"'", mf, target.Model))
			return nil
		}
	}
	return record.IDRef{Model: target.Model, ExternalID: ref.(record.Ref).ExternalID}
}

// modelField names the field holding the model of a many2one_reference
// (Odoo's model_field), for the models a migration attaches to.
func modelField(model, field string) string {
	switch model + "." + field {
	case "ir.attachment.res_id", "mail.activity.res_id", "mail.followers.res_id", "rating.rating.res_id":
		return "res_model"
	case "mail.message.res_id", "mail.mail.res_id":
		return "model"
	}
	return ""
}

// writableReadonly reports fields fields_get marks readonly that Odoo's
// create and write still take: an attachment's mimetype (Odoo computes it
// only when none is given).
func writableReadonly(model, field string) bool {
	return model == "ir.attachment" && field == "mimetype"
}

// file reads a file() value: its size against max_file_size and its
// SHA-1, streamed (the bytes are read again when the loader sends them).
// Problems quarantine the row with a finding naming the file.
func (c *converter) file(fv *mapping.FileValue, f *validate.Field) any {
	if f != nil && f.Type != "binary" {
		c.fail("VAL302", fmt.Sprintf("file() fills a binary field; %s is %s", c.field, f.Type), "")
		return nil
	}
	st := c.r.files
	if fv.Name == "" {
		if int64(len(fv.Data)) > st.maxFile {
			c.fail(CodeFile, fmt.Sprintf("the column's file is %s, over the %s limit", plan.ByteSize(len(fv.Data)), plan.ByteSize(st.maxFile)),
				"raise max_file_size, or leave the file out")
			return nil
		}
		sum := sha1.Sum(fv.Data) //nolint:gosec // see the import
		return &record.File{Size: int64(len(fv.Data)), SHA1: hex.EncodeToString(sum[:]), Data: fv.Data}
	}
	if st.dir == nil {
		c.fail(CodeFile, fmt.Sprintf("file(%q): entity %s has no files directory", fv.Name, c.r.e.Name),
			"name a source of kind files in the entity's files:")
		return nil
	}
	out, err := ReadFile(st.dir, fv.Name, st.maxFile)
	if err != nil {
		c.fail(CodeFile, err.Error(), fileHint(err))
		return nil
	}
	return out
}

// ErrTooLarge says a file is over max_file_size.
var ErrTooLarge = errors.New("pipeline: the file is over max_file_size")

// ReadFile opens name in dir, checks its size against maxFile and returns
// its size and SHA-1 (the bytes are streamed through the hash, never
// held). Errors name the file: missing (fs.ErrNotExist), outside the
// directory (open.ErrOutside), too large (ErrTooLarge), unreadable.
func ReadFile(dir *open.Dir, name string, maxFile int64) (*record.File, error) {
	where := dir.Where(name)
	f, err := dir.Open(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &fileError{fmt.Sprintf("file %s does not exist", where), fs.ErrNotExist}
	case errors.Is(err, open.ErrOutside):
		return nil, &fileError{fmt.Sprintf("file %q is outside the files directory", name), open.ErrOutside}
	case err != nil:
		return nil, fmt.Errorf("file %s cannot be read: %w", where, unwrapPath(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("file %s cannot be read: %w", where, unwrapPath(err))
	}
	if info.Size() > maxFile {
		return nil, &fileError{fmt.Sprintf("file %s is %s, over the %s limit", where, plan.ByteSize(info.Size()), plan.ByteSize(maxFile)), ErrTooLarge}
	}
	h := sha1.New() //nolint:gosec // see the import
	n, err := io.Copy(h, io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("file %s cannot be read: %w", where, unwrapPath(err))
	}
	if n > maxFile {
		return nil, &fileError{fmt.Sprintf("file %s grew past the %s limit while it was read", where, plan.ByteSize(maxFile)), ErrTooLarge}
	}
	return &record.File{Name: name, Size: n, SHA1: hex.EncodeToString(h.Sum(nil))}, nil
}

// fileError is a finding's message about a file, matching its kind.
type fileError struct {
	msg  string
	kind error
}

func (e *fileError) Error() string { return e.msg }
func (e *fileError) Unwrap() error { return e.kind }

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func fileHint(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "check the name in the source and the files: directory"
	case errors.Is(err, ErrTooLarge):
		return "raise max_file_size (load: or the entity), or leave the file out"
	case errors.Is(err, open.ErrOutside):
		return "file names are relative to the files: directory and stay inside it"
	}
	return ""
}
