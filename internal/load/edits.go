package load

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
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

// linesGone reports the lines an earlier run wrote under the records of b
// that their source rows no longer have (line_missing_in_source).
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
					p.mu.Lock()
					p.es.LineMissingInSource = append(p.es.LineMissingInSource, x)
					p.mu.Unlock()
				}
			}
		}
	}
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
