package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/ferry-migrate/ferry/internal/ledger"
	"github.com/ferry-migrate/ferry/internal/load"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// seqBatch is the plain sequential client's batch: one load call of 500
// records at a time, the baseline Ferry is compared with.
const seqBatch = 500

// ceilingClients plain clients loading at once measure the server's
// ceiling: what Odoo gives when it is kept busy, Ferry's CPU aside.
const ceilingClients = 4

// benchPartners loads n synthetic partners o.Repeat times into the target
// (FERRY_BENCH_ODOO_URL, _DB, _LOGIN and _PASSWORD or _API_KEY; else an
// in-process sandbox), each time first with a plain sequential client and
// then with Ferry, and prints the times, Ferry's CPU per record, RPCs per
// record, peak RSS and the ratio. Created partners are removed after each
// run (not timed).
func benchPartners(ctx context.Context, g *globalOptions, o *benchOptions) error {
	c, where, closeTarget, err := benchTarget(ctx)
	if err != nil {
		return err
	}
	defer closeTarget()
	dir, err := os.MkdirTemp("", "ferry-bench-partners-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rows := synthPartners(o.Partners)
	fmt.Fprintf(g.stdout, "%d partners into %s (Odoo %s), %d runs; sequential client: load in batches of %d\n", o.Partners, where, c.Version().Full, o.Repeat, seqBatch)
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tsequential\trec/s\tceiling\trec/s\tferry\trec/s\tratio\tof ceiling\tCPU µs/rec\tRPCs/rec\t")
	var ratios, ofCeiling []float64
	for i := 1; i <= o.Repeat; i++ {
		stamp := fmt.Sprintf("%d_%d", time.Now().Unix(), i)
		seq, err := sequentialLoad(ctx, c, "bench_seq_"+stamp, rows)
		if err != nil {
			return err
		}
		ceil, err := ceilingLoad(ctx, c, "bench_ceil_"+stamp, rows)
		if err != nil {
			return err
		}
		r, err := ferryLoad(ctx, c, dir, "bench_ferry_"+stamp, rows, o.Workers)
		if err != nil {
			return err
		}
		ratio, share := seq.Seconds()/r.took.Seconds(), ceil.Seconds()/r.took.Seconds()
		ratios, ofCeiling = append(ratios, ratio), append(ofCeiling, share)
		n := float64(len(rows))
		fmt.Fprintf(tw, "%d\t%s\t%.0f\t%s\t%.0f\t%s\t%.0f\t%.2f×\t%.0f %%\t%.0f\t%.3f\t\n", i, seq.Round(time.Millisecond), n/seq.Seconds(),
			ceil.Round(time.Millisecond), n/ceil.Seconds(), r.took.Round(time.Millisecond), n/r.took.Seconds(), ratio, 100*share,
			float64(r.cpu.Microseconds())/n, float64(r.rpcs)/n)
		for _, ns := range []string{"bench_seq_" + stamp, "bench_ceil_" + stamp, "bench_ferry_" + stamp} {
			if err := removeNamespace(ctx, c, ns); err != nil {
				return err
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	sort.Float64s(ratios)
	sort.Float64s(ofCeiling)
	fmt.Fprintf(g.stdout, "median ratio %.2f× the sequential client, %.0f %% of the server's ceiling (%d plain clients at once) · peak RSS %d MiB (the whole process%s)\n",
		ratios[len(ratios)/2], 100*ofCeiling[len(ofCeiling)/2], ceilingClients, peakRSS()>>20, sandboxNote(where))
	return nil
}

func sandboxNote(where string) string {
	if strings.Contains(where, "sandbox") {
		return ", the in-process sandbox included: its CPU counts in Ferry's"
	}
	return ""
}

// benchTarget dials FERRY_BENCH_ODOO_* or starts a sandbox.
func benchTarget(ctx context.Context) (*odoo.Client, string, func(), error) {
	cfg := odoo.Config{URL: os.Getenv("FERRY_BENCH_ODOO_URL"), Database: os.Getenv("FERRY_BENCH_ODOO_DB"), Login: os.Getenv("FERRY_BENCH_ODOO_LOGIN"),
		Password: secret.New(os.Getenv("FERRY_BENCH_ODOO_PASSWORD")), APIKey: secret.New(os.Getenv("FERRY_BENCH_ODOO_API_KEY"))}
	closeTarget := func() {}
	where := cfg.URL
	if cfg.URL == "" {
		sb, err := sandbox.New(sandbox.Options{})
		if err != nil {
			return nil, "", nil, err
		}
		cfg = odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", APIKey: secret.New(sb.AdminKey())}
		closeTarget, where = func() { sb.Close() }, "the in-process sandbox"
	}
	c, err := odoo.Dial(ctx, cfg)
	if err != nil {
		closeTarget()
		return nil, "", nil, err
	}
	return c, secret.RedactURL(where), closeTarget, nil
}

func synthPartners(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(i + 1), fmt.Sprintf("Bench Partner %06d", i+1), fmt.Sprintf("p%06d@bench.example", i+1),
			fmt.Sprintf("%d Bench Street", i%300+1), fmt.Sprint(10000 + i%900), "Benchtown", fmt.Sprintf("+32 2 %03d %04d", i%1000, i%10000)}
	}
	return rows
}

var partnerColumns = []string{"name", "email", "street", "zip", "city", "phone"}

// sequentialLoad is the baseline: one load call of seqBatch records after
// the other, with the context Ferry uses.
func sequentialLoad(ctx context.Context, c *odoo.Client, ns string, rows [][]string) (time.Duration, error) {
	cols := append([]string{"id"}, partnerColumns...)
	ctxKeys := map[string]any{"tz": "UTC", "tracking_disable": true, "noupdate": true}
	start := time.Now()
	for i := 0; i < len(rows); i += seqBatch {
		batch := make([][]string, 0, seqBatch)
		for _, r := range rows[i:min(i+seqBatch, len(rows))] {
			batch = append(batch, append([]string{ns + ".p_" + r[0]}, r[1:]...))
		}
		res, err := c.Load(ctx, "res.partner", cols, batch, ctxKeys)
		if err != nil {
			return 0, err
		}
		if res.RolledBack {
			return 0, fmt.Errorf("sequential client: Odoo rolled a batch back: %v", res.Messages)
		}
	}
	return time.Since(start), nil
}

// ceilingLoad splits the rows between ceilingClients plain clients that
// load their share in batches of seqBatch at the same time.
func ceilingLoad(ctx context.Context, c *odoo.Client, ns string, rows [][]string) (time.Duration, error) {
	start := time.Now()
	errs := make(chan error, ceilingClients)
	per := (len(rows) + ceilingClients - 1) / ceilingClients
	for k := range ceilingClients {
		part := rows[min(k*per, len(rows)):min((k+1)*per, len(rows))]
		go func() {
			_, err := sequentialLoad(ctx, c, ns, part)
			errs <- err
		}()
	}
	var first error
	for range ceilingClients {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return time.Since(start), first
}

type ferryResult struct {
	took time.Duration
	cpu  time.Duration
	rpcs int64
}

// ferryLoad writes the rows and a one-entity plan, and loads them with
// Ferry's loader, counting its calls to Odoo and its CPU time.
func ferryLoad(ctx context.Context, c *odoo.Client, dir, ns string, rows [][]string, workers int) (ferryResult, error) {
	var b strings.Builder
	b.WriteString("id," + strings.Join(partnerColumns, ",") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	runDir := filepath.Join(dir, ns)
	if err := os.MkdirAll(runDir, 0o700); err != nil {
		return ferryResult{}, err
	}
	if err := os.WriteFile(filepath.Join(runDir, "partners.csv"), []byte(b.String()), 0o600); err != nil {
		return ferryResult{}, err
	}
	planText := fmt.Sprintf("version: 1\nname: %s\nnamespace: %s\ntarget: {url: %q, database: %q, login: x}\nbackup: none\n"+
		"sources:\n  bench: {kind: csv, path: .}\nentities:\n  - name: partners\n    model: res.partner\n    from: {source: bench, file: partners.csv}\n"+
		"    key: id\n    fields:\n      name: row.name\n      email: row.email\n      street: row.street\n      zip: row.zip\n      city: row.city\n      phone: row.phone\n",
		ns, ns, c.URLString(), c.Database())
	if err := os.WriteFile(filepath.Join(runDir, "plan.yaml"), []byte(planText), 0o600); err != nil {
		return ferryResult{}, err
	}
	p, _, err := plan.Load(filepath.Join(runDir, "plan.yaml"))
	if err != nil {
		return ferryResult{}, err
	}
	lv, err := pipelineFor(ctx, c, p, nil)
	if err != nil {
		return ferryResult{}, err
	}
	defer lv.Close()
	st, err := ledger.Open(ctx, filepath.Join(runDir, ".ferry"))
	if err != nil {
		return ferryResult{}, err
	}
	defer st.Close()
	t := &countingTarget{Client: c}
	cpu0, start := cpuTime(), time.Now()
	s, err := load.Run(ctx, lv, t, st, load.Options{Workers: workers})
	took, cpu := time.Since(start), cpuTime()-cpu0
	if err != nil {
		return ferryResult{}, err
	}
	if s.Entities[0].Loaded != int64(len(rows)) {
		return ferryResult{}, fmt.Errorf("ferry loaded %d of %d partners", s.Entities[0].Loaded, len(rows))
	}
	return ferryResult{took: took, cpu: cpu, rpcs: t.calls.Load()}, nil
}

// countingTarget counts the loader's calls to Odoo.
type countingTarget struct {
	*odoo.Client
	calls atomic.Int64
}

func (t *countingTarget) Load(ctx context.Context, model string, fields []string, rows [][]string, extra map[string]any) (*odoo.LoadResult, error) {
	t.calls.Add(1)
	return t.Client.Load(ctx, model, fields, rows, extra)
}

func (t *countingTarget) Read(ctx context.Context, model string, ids []int64, fields []string) ([]map[string]any, error) {
	t.calls.Add(1)
	return t.Client.Read(ctx, model, ids, fields)
}

func (t *countingTarget) SearchRead(ctx context.Context, model string, dom odoo.Domain, fields []string, p odoo.Page) ([]map[string]any, error) {
	t.calls.Add(1)
	return t.Client.SearchRead(ctx, model, dom, fields, p)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func peakRSS() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss << 10 // KiB on Linux
}

// removeNamespace unlinks the partners created under ns.
func removeNamespace(ctx context.Context, c *odoo.Client, ns string) error {
	recs, err := c.SearchRead(ctx, "ir.model.data", odoo.Domain{[]any{"module", "=", ns}, []any{"model", "=", "res.partner"}}, []string{"res_id"}, odoo.Page{})
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(recs))
	for _, r := range recs {
		if id, ok := r["res_id"].(int64); ok {
			ids = append(ids, id)
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		if err := c.Unlink(ctx, "res.partner", ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
