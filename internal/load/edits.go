package load

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// sentFields names the fields a load call writes, from its columns
// ("name", "parent_id/id", "invoice_line_ids/id", …; "id" is the key).
func sentFields(cols []string) map[string]bool {
	out := map[string]bool{}
	for _, c := range cols {
		if f, _, _ := strings.Cut(c, "/"); f != "id" {
			out[f] = true
		}
	}
	return out
}

// written is the ledger form of what the item's load wrote.
func written(it *item) string {
	s, err := it.o.Row.Written(sentFields(it.enc.Columns)).Marshal()
	if err != nil {
		return "" // a value type Written does not know: no edit check for this row
	}
	return s
}

// edited is an item whose record someone changed in Odoo after an earlier
// run wrote it, with the fields that differ.
type edited struct {
	it    *item
	diffs []verify.FieldDiff
}

// guardEdits takes out of b the items that would overwrite changes made
// in Odoo since an earlier run wrote the record: for each field Ferry wrote
// then and writes now, the target's current value is compared with what
// Ferry wrote, the way verify compares (fields the plan's verify.exclude
// names for the model are skipped: Odoo itself changes them). Those items
// are quarantined as changed_in_target unless the run overwrites target
// edits. It runs on the streaming goroutine.
func (p *passRun) guardEdits(ctx context.Context, b []*item) ([]*item, error) {
	p.linesGone(b)
	kept, err := p.guardTarget(ctx, b)
	if err == nil {
		p.reportHeldLines(b, kept)
	}
	return kept, err
}

// reportHeldLines reports the gone lines of the items the guards held
// back: their records are not loaded, so their lines stay as they are.
func (p *passRun) reportHeldLines(b, kept []*item) {
	sent := make(map[*item]bool, len(kept))
	for _, it := range kept {
		sent[it] = true
	}
	for _, it := range b {
		if sent[it] {
			continue
		}
		for _, xs := range it.gone {
			p.noteLines(&p.es.LineMissingInSource, xs)
		}
	}
}

func (p *passRun) guardTarget(ctx context.Context, b []*item) ([]*item, error) {
	b, err := p.guardLocked(ctx, b)
	if err != nil || p.r.o.OverwriteTargetEdits {
		return b, err
	}
	var checks []*item
	for _, it := range b {
		pr := it.prev
		if it.hasPrev && pr.Written != "" && pr.OdooID != 0 && pr.State != ledger.Pending && pr.RunID != p.r.run.ID {
			checks = append(checks, it)
		}
	}
	if len(checks) == 0 {
		return b, nil
	}
	found, err := p.r.edits.find(ctx, p, checks)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return b, nil
	}
	for _, e := range found {
		if err := p.quarantineEdited(ctx, e); err != nil {
			return nil, err
		}
	}
	keep := b[:0:0]
	for _, it := range b {
		if _, gone := found[it.key]; !gone {
			keep = append(keep, it)
		}
	}
	return keep, nil
}

func (p *passRun) quarantineEdited(ctx context.Context, e edited) error {
	parts := make([]string, len(e.diffs))
	for i, d := range e.diffs {
		parts[i] = fmt.Sprintf("%s: Ferry wrote %q, Odoo now holds %q", d.Field, d.Want, d.Got)
	}
	msg := "the record was changed in Odoo after Ferry wrote it (" + strings.Join(parts, "; ") +
		"); it is left as it is: rerun with --overwrite-target-edits to overwrite it"
	d := p.finding(e.it, CodeChangedInTarget, msg)
	if err := p.r.q.write(p.e, e.it.o, []diag.Diagnostic{d}); err != nil {
		return err
	}
	p.mu.Lock()
	p.es.ChangedInTarget++
	p.mu.Unlock()
	return p.terminal(ctx, e.it.o, ledger.Quarantined, CodeChangedInTarget+": "+msg)
}

// editFinder checks items against the target's current values.
type editFinder struct {
	check   verify.Checker
	exclude map[string][]string
}

func (f *editFinder) find(ctx context.Context, p *passRun, items []*item) (map[string]edited, error) {
	want := map[int64]record.Row{}
	byID := map[int64]*item{}
	for _, it := range items {
		w, err := record.ParseWritten(it.prev.Written)
		if err != nil {
			continue // unreadable: no check for this row
		}
		now := sentFields(it.enc.Columns)
		for k := range w.Values {
			if !now[k] {
				delete(w.Values, k)
			}
		}
		for k := range w.Lines {
			if !now[k] {
				delete(w.Lines, k)
			}
		}
		want[it.prev.OdooID] = w.Row(p.e.Name, p.e.Model, it.key)
		byID[it.prev.OdooID] = it
	}
	exclude := map[string]bool{}
	for _, x := range f.exclude[p.e.Model] {
		exclude[x] = true
	}
	changed, err := f.check.Changed(ctx, p.e.Model, want, exclude)
	if err != nil {
		return nil, err
	}
	out := make(map[string]edited, len(changed))
	for id, diffs := range changed {
		out[byID[id].key] = edited{it: byID[id], diffs: diffs}
	}
	return out, nil
}

// linesGone notes, per item of b, the lines an earlier run wrote under its
// record that its source row no longer has; they are reported (or, with
// replace: on the lines, deleted) once the record is loaded.
func (p *passRun) linesGone(b []*item) {
	for _, it := range b {
		if !it.hasPrev || it.prev.Written == "" || it.prev.RunID == p.r.run.ID {
			continue
		}
		w, err := record.ParseWritten(it.prev.Written)
		if err != nil {
			continue
		}
		for field, before := range w.Lines {
			now := map[string]bool{}
			for _, l := range it.o.Row.Lines[field] {
				now[l.ExternalID] = true
			}
			for _, x := range before {
				if !now[x] {
					if it.gone == nil {
						it.gone = map[string][]string{}
					}
					it.gone[field] = append(it.gone[field], x)
				}
			}
		}
	}
}

// settleGoneLines runs after a batch loaded: the gone lines of each item
// are deleted where the plan's lines say replace, else reported. A line
// Odoo will not delete (a posted document) is reported with the reason.
func (p *passRun) settleGoneLines(ctx context.Context, items []*item, ids []int64) error {
	for i, it := range items {
		for field, xs := range it.gone {
			if !p.replaces(field) {
				p.noteLines(&p.es.LineMissingInSource, xs)
				continue
			}
			if err := p.removeLines(ctx, ids[i], field, xs); err != nil {
				if !refusal(err) {
					return err
				}
				p.r.events.Emit(progress.Message{Level: "warning", Text: fmt.Sprintf("%s %s: lines gone from the source not deleted: %v", p.e.Name, it.key, err)})
				p.noteLines(&p.es.LineMissingInSource, xs)
				continue
			}
			p.noteLines(&p.es.LinesRemoved, xs)
		}
	}
	return nil
}

func (p *passRun) noteLines(list *[]string, xs []string) {
	p.mu.Lock()
	*list = append(*list, xs...)
	p.mu.Unlock()
}

func (p *passRun) replaces(field string) bool {
	for _, l := range p.e.Plan.Lines {
		if l.Field == field {
			return l.Replace
		}
	}
	return false
}

// removeLines deletes the lines xs (external IDs) of the record id's
// one2many field, found through the record itself (get_external_id: no
// right on ir.model.data needed).
func (p *passRun) removeLines(ctx context.Context, id int64, field string, xs []string) error {
	model := p.r.pl.LineModel(p.e.Name, field)
	recs, err := p.r.t.Read(ctx, p.e.Model, []int64{id}, []string{field})
	if err != nil || len(recs) == 0 {
		return err
	}
	lineIDs := relationIDs(recs[0][field])
	names, err := p.r.t.ExternalIDs(ctx, model, lineIDs)
	if err != nil {
		return err
	}
	gone := map[string]bool{}
	for _, x := range xs {
		gone[x] = true
	}
	var del []int64
	for _, lid := range lineIDs {
		if gone[names[lid]] {
			del = append(del, lid)
		}
	}
	if len(del) == 0 {
		return nil
	}
	return p.r.t.Unlink(ctx, model, del)
}

// relationIDs reads the ids of an x2many value.
func relationIDs(v any) []int64 {
	list, _ := v.([]any)
	out := make([]int64, 0, len(list))
	for _, x := range list {
		out = append(out, asID(x))
	}
	return out
}

// refusal reports an error that is Odoo's answer about the data (not a
// broken connection).
func refusal(err error) bool {
	for _, k := range []odoo.Kind{odoo.KindValidation, odoo.KindAccess, odoo.KindMissing, odoo.KindServer} {
		if odoo.IsKind(err, k) {
			return true
		}
	}
	return false
}

// lockedStates are the states in which Odoo refuses changes to a
// document's content: a posted or cancelled journal entry, a done or
// cancelled transfer.
var lockedStates = map[string][]string{
	"account.move":  {"posted", "cancel"},
	"stock.picking": {"done", "cancel"},
}

// guardLocked takes out of b the updates of documents Odoo has since
// posted or locked: sending them would only be refused, run after run.
// They are quarantined as locked_in_target (LOAD409).
func (p *passRun) guardLocked(ctx context.Context, b []*item) ([]*item, error) {
	states := lockedStates[p.e.Model]
	if states == nil || p.e.Pass != 1 {
		return b, nil
	}
	byID := map[int64]*item{}
	for _, it := range b {
		if it.hasPrev && it.prev.OdooID != 0 && it.prev.RunID != p.r.run.ID && it.prev.State != ledger.Pending {
			byID[it.prev.OdooID] = it
		}
	}
	if len(byID) == 0 {
		return b, nil
	}
	recs, err := p.r.t.Read(ctx, p.e.Model, odoo.SortedIDs(byID), []string{"state"})
	if err != nil {
		return nil, err
	}
	locked := map[string]bool{}
	for _, rec := range recs {
		state, _ := rec["state"].(string)
		if it := byID[asID(rec["id"])]; it != nil && slices.Contains(states, state) {
			locked[it.key] = true
			msg := fmt.Sprintf("%s is %s in Odoo, which refuses changes to it: not sent (reset it to draft in Odoo to let a run update it)", p.e.Model, state)
			if err := p.quarantineLocked(ctx, it, msg); err != nil {
				return nil, err
			}
		}
	}
	keep := b[:0:0]
	for _, it := range b {
		if !locked[it.key] {
			keep = append(keep, it)
		}
	}
	return keep, nil
}

func (p *passRun) quarantineLocked(ctx context.Context, it *item, msg string) error {
	if err := p.r.q.write(p.e, it.o, []diag.Diagnostic{p.finding(it, CodeLockedInTarget, msg)}); err != nil {
		return err
	}
	return p.terminal(ctx, it.o, ledger.Quarantined, CodeLockedInTarget+": "+msg)
}
