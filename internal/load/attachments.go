package load

import (
	"context"
	"crypto/sha1" //nolint:gosec // Odoo's ir.attachment checksum is SHA-1; it names content, it guards nothing
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source/open"
)

// Attachments: rows whose values hold files (*record.File, from file())
// or references by database id (record.IDRef, ref() into res_id).
//
// The pipeline hands over a file's size and SHA-1, never its bytes (the
// bytes of a bytea/BLOB column excepted). A batch of such rows is cut
// when its files reach load.batch_bytes; when the batch is handed to a
// worker, the files are read (and must still hash to what the pipeline
// read: a file changed in between quarantines its row, MAP219), base64
// encoded into their cells, and every IDRef is resolved to the id its
// external ID names in Odoo (ir.model.data; the ledger when the user may
// not read it). So no more than the batches in flight hold file bytes.
// ir.attachment is loaded with image_no_postprocess, so Odoo stores the
// bytes as sent (it would resize large images) and its checksum is the
// source file's.

// CodeNoID is the finding of a row whose reference by database id names a
// record that is not in Odoo.
const CodeNoID = "LOAD408"

func init() {
	diag.Codes = append(diag.Codes, diag.Code{Code: CodeNoID,
		Summary: "a reference written as a database id (res_id) names a record that is not in Odoo: the row is quarantined"})
}

// Placeholders of cells filled when the batch is sent; sent unfilled,
// Odoo would refuse them (neither is base64 of a whole number of bytes,
// nor an integer).
const (
	unreadCell     = "\x00unread"
	unresolvedCell = "\x00unresolved"
)

// attachState is a pass's files directory, opened at the first batch
// that reads a file.
type attachState struct {
	dir *open.Dir
}

// attachmentContext adds image_no_postprocess to the context of an
// ir.attachment pass.
func attachmentContext(model string, extra map[string]any) map[string]any {
	if model != "ir.attachment" {
		return extra
	}
	return withKey(extra, "image_no_postprocess", true)
}

// deferredCell encodes a value whose cell is filled when the batch is
// sent.
func deferredCell(path string, v any) (string, string, bool) {
	switch v.(type) {
	case *record.File:
		return path, unreadCell, true
	case record.IDRef:
		return path, unresolvedCell, true
	}
	return "", "", false
}

func isDeferred(v any) bool {
	_, _, ok := deferredCell("", v)
	return ok
}

// isFile reports a file value (kept out of before-images: Ferry keeps no
// copies of file contents in the ledger).
func isFile(v any) bool {
	_, ok := v.(*record.File)
	return ok
}

// fileBytes is the size of the files a row carries.
func fileBytes(r *record.Row) int64 {
	var n int64
	each := func(vs map[string]any) {
		for _, v := range vs {
			if f, ok := v.(*record.File); ok {
				n += f.Size
			}
		}
	}
	each(r.Values)
	for _, ls := range r.Lines {
		for _, l := range ls {
			each(l.Values)
		}
	}
	return n
}

// byteBound dispatches the group of sig before it takes it when their
// files would exceed load.batch_bytes together.
func (p *passRun) byteBound(ctx context.Context, sig string, it *item) error {
	n := fileBytes(it.o.Row)
	group := p.groups[sig]
	if n == 0 || len(group) == 0 {
		return nil
	}
	_, limit := p.r.plan.FileLimits(p.e.Plan)
	for _, g := range group {
		n += fileBytes(g.o.Row)
	}
	if n <= limit {
		return nil
	}
	delete(p.groups, sig)
	return p.dispatch(ctx, group)
}

// deferredCells lists the cells of it to fill: row and column index, and
// the value.
type deferred struct {
	row, col int
	v        any
}

func deferredCells(it *item) []deferred {
	var out []deferred
	col := map[string]int{}
	for j, c := range it.enc.Columns {
		col[c] = j
	}
	add := func(row int, prefix string, vs map[string]any) {
		for f, v := range vs {
			if j, has := col[prefix+f]; has && isDeferred(v) {
				out = append(out, deferred{row: row, col: j, v: v})
			}
		}
	}
	add(0, "", it.o.Row.Values)
	for f, ls := range it.o.Row.Lines {
		for i, l := range ls {
			add(i, f+"/", l.Values)
		}
	}
	return out
}

// materialize fills the deferred cells of a batch about to be sent: file
// bytes (base64) and database ids. Items whose file changed or vanished
// since the pipeline read it, or whose reference names no record in
// Odoo, are quarantined and left out. It runs on the streaming goroutine.
func (p *passRun) materialize(ctx context.Context, b []*item) ([]*item, error) {
	cells := make([][]deferred, len(b))
	some := false
	for i, it := range b {
		cells[i] = deferredCells(it)
		some = some || len(cells[i]) > 0
	}
	if !some {
		return b, nil
	}
	ids, err := p.resolveIDRefs(ctx, cells)
	if err != nil {
		return nil, err
	}
	keep := b[:0:0]
	for i, it := range b {
		code, msg, err := p.fill(ctx, it, cells[i], ids)
		if err != nil {
			return nil, err
		}
		if msg == "" {
			keep = append(keep, it)
			continue
		}
		if err := p.quarantine(ctx, it, code, msg); err != nil {
			return nil, err
		}
	}
	return keep, nil
}

// fill sets an item's deferred cells; a non-empty msg says why it cannot
// be sent (code is its finding's).
func (p *passRun) fill(ctx context.Context, it *item, cells []deferred, ids map[string]int64) (code, msg string, err error) {
	for _, c := range cells {
		switch v := c.v.(type) {
		case record.IDRef:
			id, ok := ids[v.ExternalID]
			if !ok {
				field := it.enc.Columns[c.col]
				return CodeNoID, fmt.Sprintf("%s: %s (%s) is not in Odoo: it was not loaded, or it was deleted since", field, v.ExternalID, v.Model), nil
			}
			it.enc.Rows[c.row][c.col] = strconv.FormatInt(id, 10)
		case *record.File:
			data, msg, err := p.fileData(ctx, v)
			if err != nil || msg != "" {
				return pipeline.CodeFile, msg, err
			}
			it.enc.Rows[c.row][c.col] = base64.StdEncoding.EncodeToString(data)
		}
	}
	return "", "", nil
}

// fileData returns the bytes of f, read again from the files directory
// and checked against the SHA-1 the pipeline computed.
func (p *passRun) fileData(ctx context.Context, f *record.File) ([]byte, string, error) {
	if f.Name == "" {
		return f.Data, "", nil
	}
	if p.att == nil {
		p.att = &attachState{}
	}
	if p.att.dir == nil {
		name := p.e.Plan.Files
		d, err := open.Files(ctx, name, p.r.plan.Sources[name], p.r.plan.Dir)
		if err != nil {
			return nil, "", fmt.Errorf("entity %s: files: %w", p.e.Name, err)
		}
		p.att.dir = d
	}
	where := p.att.dir.Where(f.Name)
	h, err := p.att.dir.Open(f.Name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Sprintf("file %s does not exist any more", where), nil
	case err != nil:
		return nil, fmt.Sprintf("file %s cannot be read: %v", where, err), nil
	}
	defer h.Close()
	data, err := io.ReadAll(io.LimitReader(h, f.Size+1))
	if err != nil {
		return nil, fmt.Sprintf("file %s cannot be read: %v", where, err), nil
	}
	sum := sha1.Sum(data) //nolint:gosec // see the import
	if got := hex.EncodeToString(sum[:]); int64(len(data)) != f.Size || got != f.SHA1 {
		return nil, fmt.Sprintf("file %s changed while the run read it (SHA-1 %s, now %s): it is loaded by the next run", where, f.SHA1, got), nil
	}
	return data, "", nil
}

// closeAttachments closes the pass's files directory.
func (p *passRun) closeAttachments() {
	if p.att != nil && p.att.dir != nil {
		_ = p.att.dir.Close()
	}
}

// quarantine records an item that cannot be sent, with a finding.
func (p *passRun) quarantine(ctx context.Context, it *item, code, msg string) error {
	if err := p.r.q.write(p.e, it.o, []diag.Diagnostic{p.finding(it, code, msg)}); err != nil {
		return err
	}
	return p.terminal(ctx, it.o, ledger.Quarantined, code+": "+msg)
}

// resolveIDRefs finds the database ids of the batch's IDRefs in Odoo's
// ir.model.data (by model, module and name), or in the ledger when the
// user may not read it. A reference not found is absent from the map.
func (p *passRun) resolveIDRefs(ctx context.Context, cells [][]deferred) (map[string]int64, error) {
	want := map[[2]string]map[string]bool{} // model, module → names
	refs := map[string]record.IDRef{}
	for _, cs := range cells {
		for _, c := range cs {
			ref, ok := c.v.(record.IDRef)
			if !ok {
				continue
			}
			mod, name, _ := strings.Cut(ref.ExternalID, ".")
			k := [2]string{ref.Model, mod}
			if want[k] == nil {
				want[k] = map[string]bool{}
			}
			want[k][name] = true
			refs[ref.ExternalID] = ref
		}
	}
	out := map[string]int64{}
	if len(refs) == 0 {
		return out, nil
	}
	if !p.r.imd.denied.Load() {
		for k, names := range want {
			dom := odoo.Domain{[]any{"model", "=", k[0]}, []any{"module", "=", k[1]}, []any{"name", "in", toAny(sortedKeys(names))}}
			recs, err := p.r.t.SearchRead(ctx, "ir.model.data", dom, []string{"name", "res_id"}, odoo.Page{})
			if odoo.IsKind(err, odoo.KindAccess) {
				p.r.imd.denied.Store(true)
				break
			}
			if err != nil {
				return nil, fmt.Errorf("resolve %d external ID(s) of %s: %w", len(names), k[0], err)
			}
			for _, rec := range recs {
				name, _ := rec["name"].(string)
				if id := asID(rec["res_id"]); id != 0 {
					out[k[1]+"."+name] = id
				}
			}
		}
		if !p.r.imd.denied.Load() {
			return out, nil
		}
	}
	return p.ledgerIDs(ctx, refs)
}

// ledgerIDs finds references in the ledger: the rows of the plan's
// entities of their model that are loaded or unchanged.
func (p *passRun) ledgerIDs(ctx context.Context, refs map[string]record.IDRef) (map[string]int64, error) {
	out := map[string]int64{}
	read := map[string]bool{}
	for _, ref := range refs {
		for _, e := range p.r.plan.Entities {
			prefix := p.r.plan.Namespace + "." + e.Name + "_"
			if e.Model != ref.Model || !strings.HasPrefix(ref.ExternalID, prefix) || read[e.Name] {
				continue
			}
			read[e.Name] = true
			rows, err := p.r.st.Rows(ctx, e.Name, 1)
			if err != nil {
				return nil, err
			}
			for k, row := range rows {
				if _, wanted := refs[k]; wanted && row.OdooID != 0 && (row.State == ledger.Loaded || row.State == ledger.Unchanged) {
					out[k] = row.OdooID
				}
			}
		}
	}
	return out, nil
}

// ProbeCells empties the cells of enc the loader fills only when it sends
// a batch (file contents, database ids of references), for a probe load
// (ferry ping --plan) that needs the columns, not the files, and returns
// the fields emptied, sorted.
func ProbeCells(enc *Encoded) []string {
	seen := map[string]bool{}
	for _, row := range enc.Rows {
		for j, cell := range row {
			if cell == unreadCell || cell == unresolvedCell {
				row[j] = ""
				seen[enc.Columns[j]] = true
			}
		}
	}
	return sortedKeys(seen)
}
