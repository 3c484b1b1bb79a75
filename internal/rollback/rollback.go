package rollback

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// Target is what rollback changes in Odoo (and reads, to find records
// changed since the run and the records of a lost answer); *odoo.Client
// satisfies it.
type Target interface {
	verify.Current
	SearchRead(ctx context.Context, model string, domain odoo.Domain, fields []string, p odoo.Page) ([]map[string]any, error)
	Unlink(ctx context.Context, model string, ids []int64) error
	Write(ctx context.Context, model string, ids []int64, vals map[string]any) error
	Execute(ctx context.Context, model, method string, args []any, kwargs map[string]any) (any, error)
}

var _ Target = (*odoo.Client)(nil)

// Kind is what an action does.
type Kind string

// Action kinds.
const (
	Delete    Kind = "delete"    // the run created the record
	Restore   Kind = "restore"   // the run updated it: write the before-image back
	Unarchive Kind = "unarchive" // the run archived it (on_delete: archive): write active back
)

// Action is one record to undo.
type Action struct {
	Kind       Kind   `json:"kind"`
	Entity     string `json:"entity"`
	Model      string `json:"model"`
	ExternalID string `json:"xmlid"`
	ID         int64  `json:"id"`
	Draft      bool   `json:"reset_to_draft,omitempty"` // posted by the run: button_draft (a payment: action_draft) first
	// MaybePosted: the run sent the posting but its answer was lost, so
	// the record is reset to draft first only if Odoo shows it is not a
	// draft (Odoo refuses to reset a draft: "Only posted/cancelled journal
	// entries can be reset to draft").
	MaybePosted bool           `json:"reset_to_draft_if_posted,omitempty"`
	Values      map[string]any `json:"values,omitempty"` // Restore, Unarchive: the values to write back
	// Unconfirmed marks a record the run sent to be created whose answer
	// was lost (its batch was left sent, its row pending): the ledger has
	// no id for it. Apply looks its external ID up in Odoo and deletes the
	// record if the batch created it.
	Unconfirmed bool `json:"unconfirmed,omitempty"`
	// Translations are the record's translations before the run wrote
	// them, per field (Restore): Apply writes them back after Values.
	Translations map[string]ledger.FieldTranslations `json:"translations,omitempty"`
	// Written is what the run wrote (record.Written JSON), and
	// TranslationsWritten the translations it wrote, to tell whether
	// someone changed the record since.
	Written             string                       `json:"-"`
	TranslationsWritten map[string]map[string]string `json:"-"`
	// Partials are the account.partial.reconcile records an Unreconcile
	// deletes (reconcile.go).
	Partials []int64 `json:"partials,omitempty"`
}

// Plan is the undo of one run, in the order Apply carries it out.
type Plan struct {
	Run     string   `json:"run"`
	Actions []Action `json:"actions"`
	// Done are the actions an earlier rollback of the run carried out
	// before it stopped at a refusal: Apply does not repeat them.
	Done []Action `json:"done,omitempty"`
}

// Undone is how the ledger remembers that a rollback carried out a: by
// kind, model and id, or for a record of a lost answer by external ID.
func (a Action) Undone() ledger.Undone {
	if a.Unconfirmed {
		return ledger.Undone{Kind: string(a.Kind), Model: a.Model, ExternalID: a.ExternalID}
	}
	return ledger.Undone{Kind: string(a.Kind), Model: a.Model, OdooID: a.ID}
}

// Entity is one plan entity in load order.
type Entity struct {
	Name, Model string
}

// Build reads the rows the run wrote (its own version of each, even of the
// rows later runs took over, and the rows of a batch whose answer was
// lost), its before-images and its steps (after-load actions, records
// archived, translations overwritten) from the ledger and lists the
// actions, entities in reverse load order and, within one, newest record
// first. It undoes the run alone: Chain says which runs must be undone
// with it.
func Build(ctx context.Context, st *ledger.Store, runID string, order []Entity) (*Plan, error) {
	rows, err := st.RunHistory(ctx, runID)
	if err != nil {
		return nil, err
	}
	images, err := imagesByID(ctx, st, runID)
	if err != nil {
		return nil, err
	}
	p := &Plan{Run: runID}
	for i := len(order) - 1; i >= 0; i-- {
		e := order[i]
		posted, err := postedBy(ctx, st, runID, e.Name)
		if err != nil {
			return nil, err
		}
		acts := entityActions(e, rows, images, posted)
		if acts, err = withArchived(ctx, st, runID, e, images, acts); err != nil {
			return nil, err
		}
		if acts, err = withTranslations(ctx, st, runID, e, acts); err != nil {
			return nil, err
		}
		if acts, err = withReconciliations(ctx, st, runID, e, acts); err != nil { // reconcile.go
			return nil, err
		}
		sortActions(acts)
		p.Actions = append(p.Actions, acts...)
	}
	return p, withoutDone(ctx, st, p)
}

// withoutDone moves to p.Done the actions an earlier rollback of the run
// carried out (the ledger's undone record).
func withoutDone(ctx context.Context, st *ledger.Store, p *Plan) error {
	done, err := st.Undone(ctx, p.Run)
	if err != nil || len(done) == 0 {
		return err
	}
	todo := make([]Action, 0, len(p.Actions)) // an empty list, not null, in --json
	for _, a := range p.Actions {
		if done[a.Undone()] {
			p.Done = append(p.Done, a)
		} else {
			todo = append(todo, a)
		}
	}
	p.Actions = todo
	return nil
}

// entityActions lists an entity's actions: a delete or restore per record
// the run loaded in pass 1, and a restore per record whose links only (pass
// 2) it wrote (its before-image holds their earlier values). A row left
// pending (the run stopped before Odoo's answer to its batch was recorded)
// counts too: a record it was creating is deleted (looked up by external
// ID when the ledger has no id for it), a record it was updating gets its
// before-image, which the ledger holds from before the call.
func entityActions(e Entity, rows []ledger.Row, images map[string]map[string]any, posted map[string]ledger.StepState) []Action {
	seen := map[int64]bool{}
	unconfirmed := map[string]bool{}
	var out []Action
	for _, pass := range []int{1, 2} {
		for _, r := range rows {
			if r.Entity != e.Name || r.Pass != pass || (r.State != ledger.Loaded && r.State != ledger.Pending) {
				continue
			}
			pending := r.State == ledger.Pending
			if r.OdooID == 0 {
				if pending && pass == 1 && r.Created && r.ExternalID != "" && !unconfirmed[r.ExternalID] {
					unconfirmed[r.ExternalID] = true
					out = append(out, Action{Kind: Delete, Entity: e.Name, Model: e.Model, ExternalID: r.ExternalID, Unconfirmed: true})
				}
				continue
			}
			if seen[r.OdooID] {
				continue
			}
			image, hasImage := images[imageKey(e.Model, r.OdooID)]
			created := r.Created && pass == 1
			if !created && !hasImage && (pass == 2 || pending) {
				continue // pass 2 of a record the run created (pass 1 deletes it), or nothing known to restore
			}
			seen[r.OdooID] = true
			a := Action{Entity: e.Name, Model: e.Model, ExternalID: r.ExternalID, ID: r.OdooID, Written: r.Written,
				Draft: posted[r.ExternalID] == ledger.StepDone, MaybePosted: posted[r.ExternalID] == ledger.StepPending}
			if pending {
				a.Written = "" // what the lost call wrote is not known: no check for later edits
			}
			if created {
				a.Kind = Delete
			} else {
				a.Kind, a.Values = Restore, image
			}
			out = append(out, a)
		}
	}
	return out
}

// withArchived adds an unarchive per record the run archived because its
// source row was gone (archive steps; the before-image holds active).
func withArchived(ctx context.Context, st *ledger.Store, runID string, e Entity, images map[string]map[string]any, acts []Action) ([]Action, error) {
	steps, err := st.RunSteps(ctx, runID, e.Name, ledger.MethodArchive)
	if err != nil {
		return nil, err
	}
	have := map[int64]bool{}
	for _, a := range acts {
		have[a.ID] = true
	}
	for _, x := range sortedKeys(steps) {
		s := steps[x]
		image, ok := images[imageKey(e.Model, s.OdooID)]
		if !ok || have[s.OdooID] {
			continue
		}
		have[s.OdooID] = true
		acts = append(acts, Action{Kind: Unarchive, Entity: e.Name, Model: e.Model, ExternalID: x, ID: s.OdooID, Values: image})
	}
	return acts, nil
}

// withTranslations adds to the records the run updated the translations
// it overwrote (translation steps with an image): to their restore, or as
// a restore of its own when the run wrote the translations only. Records
// the run created have none (they are deleted).
func withTranslations(ctx context.Context, st *ledger.Store, runID string, e Entity, acts []Action) ([]Action, error) {
	steps, err := st.RunSteps(ctx, runID, e.Name, ledger.MethodTranslations)
	if err != nil {
		return nil, err
	}
	at := map[int64]int{}
	for i, a := range acts {
		at[a.ID] = i
	}
	for _, x := range sortedKeys(steps) {
		s := steps[x]
		if s.Image == "" {
			continue
		}
		var img ledger.TranslationImage
		if err := json.Unmarshal([]byte(s.Image), &img); err != nil {
			return nil, fmt.Errorf("ledger: translations of %s before run %s: %w", x, runID, err)
		}
		i, ok := at[s.OdooID]
		if !ok {
			at[s.OdooID] = len(acts)
			acts = append(acts, Action{Kind: Restore, Entity: e.Name, Model: e.Model, ExternalID: x, ID: s.OdooID})
			i = len(acts) - 1
		}
		if acts[i].Kind == Delete {
			continue
		}
		acts[i].Translations, acts[i].TranslationsWritten = img.Before, img.Wrote
	}
	return acts, nil
}

// sortActions orders an entity's actions newest record first (children
// were created after their parents); records whose id is not known yet
// come last until Apply finds them.
func sortActions(acts []Action) {
	sort.SliceStable(acts, func(i, j int) bool {
		if (acts[i].ID == 0) != (acts[j].ID == 0) {
			return acts[j].ID == 0
		}
		return acts[i].ID > acts[j].ID
	})
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func imageKey(model string, id int64) string { return fmt.Sprintf("%s/%d", model, id) }

func imagesByID(ctx context.Context, st *ledger.Store, runID string) (map[string]map[string]any, error) {
	ims, err := st.Images(ctx, runID)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for _, im := range ims {
		var vals map[string]any
		if err := json.Unmarshal(im.Fields, &vals); err != nil {
			return nil, fmt.Errorf("ledger: before-image of %s %d: %w", im.Model, im.OdooID, err)
		}
		out[imageKey(im.Model, im.OdooID)] = writable(vals)
	}
	return out, nil
}

// writable turns values as read back into values write accepts: a
// many2one pair becomes its id, an x2many id list a set command.
func writable(vals map[string]any) map[string]any {
	out := make(map[string]any, len(vals))
	for k, v := range vals {
		if k == "id" || k == "display_name" {
			continue
		}
		if list, ok := v.([]any); ok {
			if len(list) == 2 {
				if _, isName := list[1].(string); isName {
					out[k] = list[0]
					continue
				}
			}
			out[k] = []any{[]any{6, 0, list}}
			continue
		}
		out[k] = v
	}
	return out
}

// postedBy gives the state of the run's postings (after-load actions that
// change a record's state) by external ID: done ones are reset to draft
// before deletion, pending ones (answer lost) if Odoo shows them posted.
func postedBy(ctx context.Context, st *ledger.Store, runID, entity string) (map[string]ledger.StepState, error) {
	steps, err := st.Steps(ctx, runID, entity)
	if err != nil {
		return nil, err
	}
	out := map[string]ledger.StepState{}
	for x, s := range steps {
		if s.State != ledger.StepFailed && strings.HasPrefix(s.Method, "action_post") {
			out[x] = s.State
		}
	}
	return out, nil
}

// Refusal is a record Odoo would not let go (a lock date, a hash chain,
// "used in Accounting"), or one rollback could not find.
type Refusal struct {
	Action Action
	Err    error
}

// Result is what Apply did. Notes say what it found that the plan could
// not say in advance (records of a lost answer that are not in Odoo, a
// lookup done without the right to read ir.model.data).
type Result struct {
	Deleted, Restored, Unarchived, Unreconciled int
	Refused                                     []Refusal
	Notes                                       []string
}

// Options tune Apply.
type Options struct {
	// Force undoes records someone changed in Odoo after the run wrote
	// them (else they are refused with a *ChangedError).
	Force bool
	// Exclude lists, per model, fields Odoo itself changes after a load
	// (the plan's verify.exclude): they do not count as changes.
	Exclude map[string][]string
	// Record, when set, is told each action carried out, as it is (the
	// ledger remembers it: a rollback run again after a refusal skips it).
	Record func(context.Context, Action) error
}

// ChangedError refuses to undo a record someone changed in Odoo after the
// run wrote it.
type ChangedError struct {
	Diffs []verify.FieldDiff
}

func (e *ChangedError) Error() string {
	parts := make([]string, len(e.Diffs))
	for i, d := range e.Diffs {
		parts[i] = fmt.Sprintf("%s: the run wrote %q, Odoo now holds %q", d.Field, d.Want, d.Got)
	}
	return "changed in Odoo after the run wrote it (" + strings.Join(parts, "; ") + "): undo it with --force, or restore from the backup"
}

// Apply carries out the plan: it first looks up the records of lost
// answers (the plan's unconfirmed deletes), then per action resets to
// draft if needed, deletes, restores or unarchives. Records changed in
// Odoo since the run wrote them are refused unless o.Force; a refusal is
// recorded and the rest goes on; a transport or authentication failure
// stops Apply. p is not changed.
func Apply(ctx context.Context, t Target, p *Plan, o Options) (*Result, error) {
	res := &Result{}
	p, err := confirm(ctx, t, p, res) // pending.go
	if err != nil {
		return res, err
	}
	changed := map[string][]verify.FieldDiff{}
	if !o.Force {
		if changed, err = changes(ctx, t, p, o.Exclude); err != nil { // changed.go
			return res, err
		}
	}
	for _, a := range p.Actions {
		if diffs, ok := changed[imageKey(a.Model, a.ID)]; ok {
			res.Refused = append(res.Refused, Refusal{Action: a, Err: &ChangedError{Diffs: diffs}})
			continue
		}
		err := apply(ctx, t, a)
		if err == nil && o.Record != nil {
			if rerr := o.Record(ctx, a); rerr != nil {
				return res, rerr
			}
		}
		switch {
		case err == nil && a.Kind == Delete:
			res.Deleted++
		case err == nil && a.Kind == Unarchive:
			res.Unarchived++
		case err == nil && a.Kind == Unreconcile:
			res.Unreconciled++
		case err == nil:
			res.Restored++
		case refusal(err):
			res.Refused = append(res.Refused, Refusal{Action: a, Err: err})
		default:
			return res, err
		}
	}
	return res, nil
}

func apply(ctx context.Context, t Target, a Action) error {
	if a.Kind == Unreconcile {
		return unreconcile(ctx, t, a) // reconcile.go
	}
	if err := resetToDraft(ctx, t, a); err != nil {
		return err
	}
	if a.Kind == Delete {
		err := t.Unlink(ctx, a.Model, []int64{a.ID})
		if odoo.IsKind(err, odoo.KindMissing) {
			return nil // already gone
		}
		return err
	}
	if len(a.Values) > 0 {
		if err := t.Write(ctx, a.Model, []int64{a.ID}, a.Values); err != nil {
			return err
		}
	}
	return restoreTranslations(ctx, t, a) // translations.go
}

// resetToDraft resets a record the run posted, and one whose posting's
// answer was lost if Odoo shows it is not a draft.
func resetToDraft(ctx context.Context, t Target, a Action) error {
	if !a.Draft && !a.MaybePosted {
		return nil
	}
	if !a.Draft {
		recs, err := t.Read(ctx, a.Model, []int64{a.ID}, []string{"state"})
		if odoo.IsKind(err, odoo.KindMissing) || err == nil && (len(recs) == 0 || recs[0]["state"] == "draft") {
			return nil // a record already gone is the delete's to report
		}
		if err != nil {
			return err
		}
	}
	if _, err := t.Execute(ctx, a.Model, draftMethod(a.Model), []any{[]any{a.ID}}, nil); err != nil && !odoo.IsKind(err, odoo.KindMissing) {
		return err
	}
	return nil
}

func refusal(err error) bool {
	for _, k := range []odoo.Kind{odoo.KindValidation, odoo.KindAccess, odoo.KindMissing, odoo.KindServer} {
		if odoo.IsKind(err, k) {
			return true
		}
	}
	return false
}
