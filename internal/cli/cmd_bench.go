package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

type benchOptions struct {
	Repeat   int
	Workers  int
	Partners int
	Profile  string
}

func newBenchCmd(g *globalOptions) *cobra.Command {
	o := &benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure a whole migration end to end: the demo's load and verification into a fresh sandbox",
		Long: "bench runs the demo migration --repeat times, each into a fresh sandbox with a fresh ledger, and\n" +
			"prints, per run, the rows read, the load and verification times and the rows per second, with\n" +
			"the machine it ran on. It measures Ferry's own work (mapping, batching, the ledger, the protocol)\n" +
			"against the in-process sandbox; against a real Odoo the server's time dominates. --partners N compares\n" +
			"Ferry with a plain sequential client on N synthetic partners, against a real Odoo when\n" +
			"FERRY_BENCH_ODOO_URL is set.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stop, err := startProfile(o.Profile)
			if err != nil {
				return err
			}
			defer stop()
			if o.Partners > 0 {
				return benchPartners(cmd.Context(), g, o)
			}
			return runBench(cmd.Context(), o, g)
		},
	}
	cmd.Flags().IntVar(&o.Partners, "partners", 0, "instead: load N synthetic partners, first with a plain sequential client (load in batches of 500), then with Ferry, into FERRY_BENCH_ODOO_URL (+ _DB, _LOGIN, _PASSWORD or _API_KEY) or a sandbox")
	cmd.Flags().IntVar(&o.Repeat, "repeat", 3, "how many runs")
	cmd.Flags().IntVar(&o.Workers, "workers", 0, "concurrent batches per entity (0 = the loader's default)")
	cmd.Flags().StringVar(&o.Profile, "cpuprofile", "", "write a CPU profile of the whole bench to this file (go tool pprof reads it)")
	return cmd
}

func runBench(ctx context.Context, o *benchOptions, g *globalOptions) error {
	dir, err := os.MkdirTemp("", "ferry-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := &globalOptions{stdin: g.stdin, stdout: io.Discard, stderr: g.stderr, log: g.log}
	fmt.Fprintf(g.stdout, "machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\trows read\tload\trows/s\tverify\trecords/s\t")
	for i := 1; i <= o.Repeat; i++ {
		d, err := startDemo(ctx, quiet, dir, demoVersion, o.Workers)
		if err != nil {
			return err
		}
		err = d.load(ctx)
		if err == nil {
			err = d.verify(ctx)
		}
		d.close()
		if err != nil {
			return err
		}
		var read int64
		for _, e := range d.sum.Entities {
			if e.Pass == 1 {
				read += e.Read
			}
		}
		records := 0
		for _, r := range d.results.Entities {
			records += r.Match + r.Differ + r.Missing
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%.0f\t%s\t%.0f\t\n", i, read, d.loadTook.Round(time.Millisecond), float64(read)/d.loadTook.Seconds(),
			d.verifyTook.Round(time.Millisecond), float64(records)/d.verifyTook.Seconds())
	}
	return tw.Flush()
}

// startProfile starts a CPU profile into path ("" profiles nothing); stop
// ends it and closes the file.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}
