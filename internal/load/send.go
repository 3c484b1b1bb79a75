package load

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/progress"
)

// send loads items until each is loaded or quarantined. A rolled-back
// answer quarantines the records its error messages name and sends the
// rest again; what no message explains is bisected, down to a single
// record, which is then quarantined with whatever Odoo said. An error
// means the target failed; the items not yet answered stay pending in the
// ledger and are sent again by the next run.
func (p *passRun) send(ctx context.Context, items []*item) error {
	for len(items) > 0 {
		seq, res, err := p.call(ctx, items)
		if timedOut(err) && len(items) > 1 { // too big for the server or a proxy: halve it, safely (external IDs)
			p.sizer.shrink(len(items))
			mid := len(items) / 2
			if err := p.send(ctx, items[:mid]); err != nil {
				return err
			}
			items = items[mid:]
			continue
		}
		if err != nil {
			return err
		}
		if !res.RolledBack {
			return p.commitLoaded(ctx, seq, items, res)
		}
		if msg, busy := concurrency(res); busy {
			return &odoo.Error{Kind: odoo.KindConcurrency, Model: p.e.Model, Method: "load", Message: msg}
		}
		bad := Attribute(spans(items), res.Messages)
		if len(bad) == 0 && len(items) == 1 {
			bad = map[int][]string{0: errorTexts(res.Messages)}
		}
		if len(bad) > 0 {
			rest, err := p.commitRejected(ctx, seq, items, bad)
			if err != nil {
				return err
			}
			items = rest
			continue
		}
		mid := len(items) / 2
		if err := p.send(ctx, items[:mid]); err != nil {
			return err
		}
		items = items[mid:]
	}
	return nil
}

func concurrency(res *odoo.LoadResult) (string, bool) {
	for _, m := range res.Messages {
		if odoo.IsConcurrencyMessage(m.Message) {
			return m.Message, true
		}
	}
	return "", false
}

func errorTexts(msgs []odoo.LoadMessage) []string {
	var out []string
	for _, m := range msgs {
		if m.Type == "error" {
			out = append(out, m.Message)
		}
	}
	if len(out) == 0 {
		out = []string{CodeUnattributed + ": Odoo rolled the record back without an error message"}
	}
	return out
}

// spans returns, per item, how many data rows it occupies.
func spans(items []*item) []int {
	out := make([]int, len(items))
	for i, it := range items {
		out[i] = len(it.enc.Rows)
	}
	return out
}

// Attribute maps the error messages of a rolled-back load to the records
// they name: spans[i] is the number of data rows of record i (1 + its
// extra one2many rows); a message's From..To are 0-based data-row indexes.
// A message naming rows 0..0 without a field may be Odoo's global message
// for the whole batch, so it is not attributed; neither is one outside
// the data sent. The result maps record index to its messages.
func Attribute(spans []int, msgs []odoo.LoadMessage) map[int][]string {
	starts := make([]int, len(spans)+1)
	for i, n := range spans {
		starts[i+1] = starts[i] + n
	}
	out := map[int][]string{}
	for _, m := range msgs {
		if m.Type != "error" || (m.From == 0 && m.To == 0 && m.Field == "") {
			continue
		}
		if m.From < 0 || m.To < m.From || m.To >= starts[len(spans)] {
			continue
		}
		for i := range spans {
			if starts[i] <= m.To && m.From < starts[i+1] {
				out[i] = append(out[i], m.Message)
			}
		}
	}
	return out
}

// call marks the batch sent (with before-images) and sends it.
func (p *passRun) call(ctx context.Context, items []*item) (int64, *odoo.LoadResult, error) {
	if err := p.r.existing(ctx, p, items); err != nil {
		return 0, nil, err
	}
	images, err := p.r.images(ctx, p, items)
	if err != nil {
		return 0, nil, err
	}
	p.mu.Lock()
	p.seq++
	seq := p.seq
	p.es.Batches++
	p.mu.Unlock()
	rows := make([]ledger.Row, len(items))
	for i, it := range items {
		rows[i] = p.row(it, ledger.Pending, seq)
		rows[i].Created, rows[i].OdooID, rows[i].Attempts = it.exists == 0 && p.e.Pass == 1, it.exists, 1
	}
	b := ledger.Batch{RunID: p.r.run.ID, Entity: p.e.Name, Pass: p.e.Pass, Seq: seq, Rows: len(items)}
	if err := p.r.st.MarkSent(ctx, b, rows, images); err != nil {
		return 0, nil, err
	}
	p.r.events.Emit(progress.BatchStarted{Entity: p.e.Name, Batch: seq, Rows: len(items), Try: 1})
	cols, data := items[0].enc.Columns, make([][]string, 0, len(items))
	for _, it := range items {
		data = append(data, it.enc.Rows...)
	}
	started := time.Now()
	res, err := p.r.t.Load(ctx, p.e.Model, cols, data, p.extra)
	if err == nil {
		p.sizer.observe(len(items), time.Since(started))
	}
	if err != nil {
		return 0, nil, fmt.Errorf("batch %d (%s … %s): %w", seq, items[0].key, items[len(items)-1].key, err)
	}
	return seq, res, nil
}

func (p *passRun) row(it *item, st ledger.State, seq int64) ledger.Row {
	return ledger.Row{Entity: p.e.Name, Pass: p.e.Pass, Key: it.key, ExternalID: it.key, SourceKey: it.o.Row.Key,
		Fingerprint: it.fp, State: st, RunID: p.r.run.ID, Batch: seq}
}

// commitLoaded records a batch Odoo accepted.
func (p *passRun) commitLoaded(ctx context.Context, seq int64, items []*item, res *odoo.LoadResult) error {
	if len(res.IDs) != len(items) {
		return fmt.Errorf("batch %d: Odoo answered %d ids for %d records", seq, len(res.IDs), len(items))
	}
	warn := Attribute(spans(items), warnings(res.Messages))
	rows := make([]ledger.Row, len(items))
	created := 0
	for i, it := range items {
		rows[i] = p.row(it, ledger.Loaded, seq)
		rows[i].OdooID = res.IDs[i]
		rows[i].Written = written(it)
		rows[i].Created = p.e.Pass == 1 && (it.createdHere || it.exists == 0 || it.exists != res.IDs[i])
		if w := warn[i]; len(w) > 0 {
			rows[i].Message = CodeWarning + ": " + strings.Join(w, "; ")
		}
		if rows[i].Created {
			created++
		}
	}
	b := ledger.Batch{RunID: p.r.run.ID, Entity: p.e.Name, Pass: p.e.Pass, Seq: seq, Rows: len(items)}
	if err := p.r.st.Commit(ctx, b, rows); err != nil {
		return err
	}
	if err := p.settleGoneLines(ctx, items, res.IDs); err != nil {
		return err
	}
	p.mu.Lock()
	p.es.Loaded += int64(len(items))
	p.es.Created += int64(created)
	p.es.Updated += int64(len(items) - created)
	p.es.Warnings += int64(len(warn))
	p.mu.Unlock()
	p.r.events.Emit(progress.BatchCommitted{Entity: p.e.Name, Batch: seq, Loaded: len(items)})
	return nil
}

// warnings returns the warning messages typed as errors, so Attribute
// places them on their records.
func warnings(msgs []odoo.LoadMessage) []odoo.LoadMessage {
	var out []odoo.LoadMessage
	for _, m := range msgs {
		if m.Type == "warning" {
			m.Type = "error"
			out = append(out, m)
		}
	}
	return out
}

// commitRejected quarantines the records bad names and returns the rest.
func (p *passRun) commitRejected(ctx context.Context, seq int64, items []*item, bad map[int][]string) ([]*item, error) {
	var rows []ledger.Row
	var rest []*item
	for i, it := range items {
		msgs, ok := bad[i]
		if !ok {
			rest = append(rest, it)
			continue
		}
		row := p.row(it, ledger.Quarantined, seq)
		row.Message = CodeRejected + ": " + strings.Join(msgs, "; ")
		rows = append(rows, row)
		if err := p.reject(it, msgs); err != nil {
			return nil, err
		}
	}
	b := ledger.Batch{RunID: p.r.run.ID, Entity: p.e.Name, Pass: p.e.Pass, Seq: seq, Rows: len(items)}
	if err := p.r.st.Commit(ctx, b, rows); err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.es.Quarantined += int64(len(rows))
	p.es.Rejected += int64(len(rows))
	p.mu.Unlock()
	p.r.events.Emit(progress.BatchCommitted{Entity: p.e.Name, Batch: seq, Quarantined: len(rows), Took: time.Duration(0)})
	return rest, nil
}

// reject writes a rejected record to the quarantine file and reports it.
func (p *passRun) reject(it *item, msgs []string) error {
	text := strings.Join(msgs, "; ")
	d := p.finding(it, CodeRejected, text)
	if err := p.r.q.write(p.e, it.o, []diag.Diagnostic{d}); err != nil {
		return err
	}
	p.r.events.Emit(progress.RecordRejected{Entity: p.e.Name, Key: it.o.Row.Key, ExternalID: it.key, Code: CodeRejected, Message: text})
	return nil
}
