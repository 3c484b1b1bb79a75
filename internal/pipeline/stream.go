package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/mapping"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
)

// work is one row on its way to an Outcome.
type work struct {
	out    Outcome
	index  int
	raw    string // key parts joined by \x1f
	xmlid  string
	values map[string]any
	lines  []lineWork
	done   bool  // state decided before conversion (skipped, unreadable)
	trans  []any // translations' values, in the entity's order
	recon  any   // reconcile: with's value (reconcile.go)
}

type lineWork struct {
	cl   *compiledLines
	rows []lineRow
}

type lineRow struct {
	rec    *record.Record
	key    string
	xmlid  string
	values map[string]any
}

// streamRun is one Stream call's state.
//
// Per-row structures are reused (stream_reuse.go): the works of a flushed
// batch with their values maps, and the expression environments. Nothing
// of them reaches an Outcome, except the Row in scratch mode (DryRun,
// whose fn keeps nothing after it returns).
type streamRun struct {
	p      *Pipeline
	c      *compiled
	e      *Entity
	st     *entityState
	runner mapping.Runner
	lines  []*lineIndex
	n      int
	files  *filesState // the entity's files directory and batch bytes (files.go)
	reuse  reuse
}

// Stream reads the entity's source (and its lines' sources), and calls fn
// with one Outcome per source row, in source order, on the caller's
// goroutine. Lines whose parent key matches no row get an Outcome of
// their own (Quarantined, MAP211), after the rows. Stream stops at the
// first error fn returns or a source fails; findings never stop it.
func (p *Pipeline) Stream(ctx context.Context, e *Entity, fn func(Outcome) error) error {
	return p.stream(ctx, e, false, fn)
}

// stream is Stream; with scratch, every Outcome's Row is one Row reused
// from row to row, valid only until fn returns.
func (p *Pipeline) stream(ctx context.Context, e *Entity, scratch bool, fn func(Outcome) error) error {
	c, ok := p.entities[e.Name]
	if !ok {
		return fmt.Errorf("stream: unknown entity %s", e.Name)
	}
	r := &streamRun{p: p, c: c, e: e, st: p.state(e.Name)}
	r.reuse.init(c, scratch)
	if err := r.prepare(ctx); err != nil {
		return err
	}
	if err := r.openFiles(ctx); err != nil {
		return err
	}
	defer r.closeFiles()
	src, err := p.open(ctx, c.e.From)
	if err != nil {
		return err
	}
	defer src.Close()
	schema, err := src.Schema(ctx)
	if err != nil {
		return fmt.Errorf("entity %s: %w", e.Name, err)
	}
	r.st.columns, e.Columns = schema.Names(), schema.Names()
	if err := r.scan(ctx, src, fn); err != nil {
		return err
	}
	if e.Pass == 1 {
		r.st.done = true
		return r.orphans(fn)
	}
	return nil
}

func (r *streamRun) prepare(ctx context.Context) error {
	for i := range r.c.lines {
		idx, err := r.p.loadLines(ctx, &r.c.lines[i])
		if err != nil {
			return err
		}
		r.lines = append(r.lines, idx)
	}
	for _, f := range r.c.fields {
		if !f.link || f.prog == nil {
			continue
		}
		for _, ref := range f.prog.Refs {
			if _, err := r.p.presentKeys(ctx, ref); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *streamRun) scan(ctx context.Context, src source.Source, fn func(Outcome) error) error {
	batch := make([]*work, 0, r.p.opts.LookupBatch)
	err := src.Scan(ctx, record.Position{}, func(rec *record.Record) error {
		batch = append(batch, r.process(rec))
		if len(batch) < cap(batch) && !r.full(rec) {
			return nil
		}
		err := r.flush(ctx, batch, fn)
		r.reuse.release(batch)
		batch = batch[:0]
		return err
	})
	if err != nil {
		return fmt.Errorf("entity %s: %w", r.e.Name, err)
	}
	return r.flush(ctx, batch, fn)
}

func (r *streamRun) flush(ctx context.Context, batch []*work, fn func(Outcome) error) error {
	r.files.bytes = 0
	if err := r.p.resolve(ctx, r.e.Name, batch); err != nil {
		return err
	}
	for _, w := range batch {
		r.finish(w)
		if err := r.p.budget.err; err != nil {
			return err
		}
		if err := fn(w.out); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pipeline) open(ctx context.Context, sel source.Select) (source.Source, error) {
	spec, ok := p.plan.Sources[sel.Source]
	if !ok {
		return nil, fmt.Errorf("unknown source %q", sel.Source)
	}
	src, err := p.opts.Open(ctx, sel.Source, spec, sel, p.plan.Dir)
	if err != nil {
		return nil, err
	}
	p.warnInsecure(sel.Source, src)
	return src, nil
}

// warnInsecure reports, once per source, a connection the user chose to
// leave unencrypted (an explicit sslmode=disable to a remote host): every
// run says so.
func (p *Pipeline) warnInsecure(name string, src source.Source) {
	w, ok := src.(interface{ Warning() string })
	if !ok || w.Warning() == "" || p.warned[name] {
		return
	}
	if p.warned == nil {
		p.warned = map[string]bool{}
	}
	p.warned[name] = true
	if p.opts.Events != nil {
		p.opts.Events.Emit(progress.Message{Level: "warning", Text: w.Warning()})
	}
	p.findings = append(p.findings, diag.Diagnostic{Code: "SEC601", Severity: diag.Warning, Msg: w.Warning(),
		Hint: "use sslmode=verify-full (PostgreSQL) or tls=true (MySQL) in the DSN"})
}

// finding builds a row finding.
func (r *streamRun) finding(w *work, pos record.Position, sev diag.Severity, code, field, msg, hint string) {
	w.out.Findings = append(w.out.Findings, diag.Diagnostic{Code: code, Severity: sev, Pos: pos,
		Entity: r.e.Name, Field: field, ExternalID: w.xmlid, Msg: msg, Hint: hint})
}

// fromErr turns an expression error into a finding.
func (r *streamRun) fromErr(w *work, pos record.Position, field string, err error) {
	code, msg := "MAP201", err.Error()
	if f, ok := err.(*mapping.Finding); ok {
		code, msg = f.Code, f.Msg
	}
	r.finding(w, pos, diag.Error, code, field, msg, "")
}

func (r *streamRun) process(rec *record.Record) *work {
	w := r.reuse.work(r.n, rec)
	r.n++
	if r.e.Pass == 2 {
		return r.processPass2(w, rec)
	}
	if rec.Problem != "" {
		r.finding(w, rec.Pos, diag.Error, "MAP210", "", rec.Problem, "fix the row in the source")
		w.done = true
		return w
	}
	if err := r.p.mask(r.c.e, rec); err != nil {
		r.finding(w, rec.Pos, diag.Error, "MAP217", "", err.Error(), "")
		w.done = true
		return w
	}
	env := r.reuse.env(rec)
	if r.skip(w, env) || !r.key(w, rec) {
		w.done = true
		return w
	}
	r.eval(w, rec, env)
	r.cleanse(w, rec)
	r.rules(w, rec)
	r.builtins(w, rec)
	return w
}

func (r *streamRun) processPass2(w *work, rec *record.Record) *work {
	if w.index >= len(r.st.pass1) || State(r.st.pass1[w.index]) != Ready {
		w.out.State = Skipped
		if w.index < len(r.st.pass1) {
			w.out.State = State(r.st.pass1[w.index])
		}
		w.done = true
		return w
	}
	_ = r.p.mask(r.c.e, rec)
	parts, _ := keyParts(rec, r.c.e.Key)
	w.raw = strings.Join(parts, "\x1f")
	w.xmlid = r.p.lib.Ref(r.e.Name, parts).ExternalID
	r.eval(w, rec, r.reuse.env(rec))
	return w
}

func (r *streamRun) skip(w *work, env map[string]any) bool {
	for _, s := range r.c.skips {
		if s.prog == nil {
			continue
		}
		v, err := r.runner.Run(s.prog, env)
		if err != nil {
			r.fromErr(w, w.out.Source.Pos, "", fmt.Errorf("skip %s: %w", s.filter.Name, err))
			return true
		}
		if b, _ := v.(bool); b {
			w.out.State, w.out.SkipRule, w.out.Reason = Skipped, s.filter.Name, s.filter.Reason
			return true
		}
	}
	return false
}

// key computes the row's key and external ID and checks duplicates and
// case clashes; false means the row is quarantined.
func (r *streamRun) key(w *work, rec *record.Record) bool {
	parts, ok := keyParts(rec, r.c.e.Key)
	if !ok {
		r.finding(w, rec.Pos, diag.Error, "MAP203", strings.Join(r.c.e.Key, ","), "the key is empty", "every row needs a key")
		return false
	}
	w.raw = strings.Join(parts, "\x1f")
	w.xmlid = r.p.lib.Ref(r.e.Name, parts).ExternalID
	h := hash(w.xmlid)
	if first, dup := r.st.keys.firstOrAdd(h, uint64(lineOf(rec.Pos))); dup {
		r.finding(w, rec.Pos, diag.Error, "MAP202", strings.Join(r.c.e.Key, ","),
			fmt.Sprintf("duplicate key %s: the row at line %d has it too and is kept", displayKey(w.raw, r.c.e.PersonalKey), first&^readyBit),
			"give each row its own key, or merge the rows in the source")
		return false
	}
	lh := hashLower(w.xmlid)
	if other, clash := r.st.lower.get(lh); clash && other != slotKey(h) && !r.c.e.CaseSensitiveKey {
		r.finding(w, rec.Pos, diag.Error, "MAP204", strings.Join(r.c.e.Key, ","),
			fmt.Sprintf("key %s differs from another row's key only by case", displayKey(w.raw, r.c.e.PersonalKey)),
			"declare case_sensitive_key: true if the keys really are different")
		return false
	}
	r.st.lower.put(lh, slotKey(h))
	return true
}

func displayKey(raw string, personal bool) string {
	if personal {
		return "(personal key)"
	}
	return strings.ReplaceAll(raw, "\x1f", "/")
}

func (r *streamRun) eval(w *work, rec *record.Record, env map[string]any) {
	out := w.values
	if out == nil {
		out = make(map[string]any, len(r.c.fields))
	}
	env["out"], env["key"] = out, strings.ReplaceAll(w.raw, "\x1f", "/")
	for i := range r.c.fields {
		f := &r.c.fields[i]
		if f.prog == nil {
			continue
		}
		v, err := r.runner.Run(f.prog, env)
		if err != nil {
			r.fromErr(w, rec.Pos, f.Field, err)
			continue
		}
		out[f.Field] = v
	}
	w.values = out
	r.evalTranslations(w, env)
	r.evalReconcile(w, env)
	for i, idx := range r.lines {
		w.lines = append(w.lines, r.evalLines(w, &r.c.lines[i], idx))
	}
}

func (r *streamRun) evalLines(w *work, cl *compiledLines, idx *lineIndex) lineWork {
	lw := lineWork{cl: cl}
	rows := idx.take(w.raw, r.e.Pass == 1)
	seen := map[string]int64{}
	for _, lrec := range rows {
		lr, ok := r.lineRow(w, cl, lrec, seen)
		if ok {
			lw.rows = append(lw.rows, lr)
		}
	}
	return lw
}

func (r *streamRun) lineRow(w *work, cl *compiledLines, lrec *record.Record, seen map[string]int64) (lineRow, bool) {
	if lrec.Problem != "" {
		r.finding(w, lrec.Pos, diag.Error, "MAP210", cl.spec.Field, lrec.Problem, "fix the line in the source")
		return lineRow{}, false
	}
	parts, ok := keyParts(lrec, cl.spec.LineKey)
	if !ok {
		r.finding(w, lrec.Pos, diag.Error, "MAP203", cl.spec.Field, "the line key is empty", "every line needs a line key")
		return lineRow{}, false
	}
	lk := strings.Join(parts, "\x1f")
	if first, dup := seen[lk]; dup {
		r.finding(w, lrec.Pos, diag.Error, "MAP212", cl.spec.Field,
			fmt.Sprintf("line key %s repeats within the parent (also at line %d)", displayKey(lk, false), first), "")
		return lineRow{}, false
	}
	seen[lk] = lineOf(lrec.Pos)
	enc, _ := r.p.ids.EncodeKey(parts, false)
	lr := lineRow{rec: lrec, key: lk, xmlid: r.p.ids.LineID(w.xmlid, enc), values: map[string]any{}}
	env := map[string]any{"row": lrec.Values, "out": lr.values, "key": displayKey(lk, false)}
	for i := range cl.fields {
		f := &cl.fields[i]
		if f.prog == nil {
			continue
		}
		v, err := r.runner.Run(f.prog, env)
		if err != nil {
			r.fromErr(w, lrec.Pos, cl.spec.Field+"."+f.Field, err)
			continue
		}
		lr.values[f.Field] = v
	}
	return lr, true
}

// mask applies the entity's mask: rules to the source row in place.
// unmaskable replaces a personal value its mask kind cannot handle: the
// original never reaches a quarantine file or Odoo.
const unmaskable = "[not masked]"

// mask applies every mask rule of e to rec, in column order. A value a
// rule cannot mask is replaced by unmaskable and named in the error (not
// quoted: it is personal), after every other column has been masked.
func (p *Pipeline) mask(e *plan.Entity, rec *record.Record) error {
	if p.opts.Masker == nil || len(e.Mask) == 0 {
		return nil
	}
	cols := make([]string, 0, len(e.Mask))
	for col := range e.Mask {
		cols = append(cols, col)
	}
	sort.Strings(cols)
	var failed []string
	for _, col := range cols {
		kind := e.Mask[col]
		v, ok := rec.Values[col]
		if !ok || v == nil {
			continue
		}
		m, err := p.opts.Masker.Mask(kind, record.Text(v))
		if err != nil {
			m = unmaskable
			failed = append(failed, fmt.Sprintf("%s as %s", col, kind))
		}
		rec.Values[col] = m
	}
	if len(failed) > 0 {
		return fmt.Errorf("cannot mask %s: the value is not in a form the kind masks (left out, shown as %s)", strings.Join(failed, ", "), unmaskable)
	}
	return nil
}
