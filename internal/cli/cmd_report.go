package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/report"
)

func newReportCmd(g *globalOptions) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report PLAN [RUN]",
		Short: "Render the report of a run or a verification again (HTML, JSON, Markdown), or list the reports",
		Long: "Every run and verification writes its report into <state-dir>/reports/<name>/ (run-<run id>,\n" +
			"verify-<time>). report lists them, or renders the named one (a run id, or a report directory's\n" +
			"name; `latest` for the newest) from its report.json into -o DIR (default: where it is) and prints\n" +
			"the path of the HTML file.",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(_ *cobra.Command, args []string) error {
			p, err := loadPlan(args[0], g)
			if err != nil {
				return err
			}
			dir := filepath.Join(stateDir(g, p), "reports")
			if len(args) == 1 {
				return listReports(g, dir)
			}
			return rerender(g, dir, args[1], out)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "directory to render into (default: the report's own)")
	return cmd
}

// reportNames lists the report directories, oldest first.
func reportNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "report.json")); e.IsDir() && err == nil {
			names = append(names, e.Name())
		}
	}
	sort.Slice(names, func(i, j int) bool { return modTime(dir, names[i]) < modTime(dir, names[j]) })
	return names, nil
}

func modTime(dir, name string) int64 {
	st, err := os.Stat(filepath.Join(dir, name, "report.json"))
	if err != nil {
		return 0
	}
	return st.ModTime().UnixNano()
}

func listReports(g *globalOptions, dir string) error {
	names, err := reportNames(dir)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return Usage(fmt.Errorf("no report in %s: run or verify the plan first", dir))
	}
	for _, n := range names {
		rep, err := readReport(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "%s\t%s\t%s\t%s\n", n, rep.Kind, rep.FinishedAt.UTC().Format("2006-01-02 15:04:05Z"), rep.Result)
	}
	return nil
}

func readReport(dir string) (*report.Report, error) {
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		return nil, err
	}
	var rep report.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, Exit(ExitIntegrity, fmt.Errorf("%s: report.json is not a report: %w", dir, err))
	}
	return &rep, nil
}

// rerender renders the report named (a run id, a directory name, or
// latest) into out.
func rerender(g *globalOptions, dir, name, out string) error {
	names, err := reportNames(dir)
	if err != nil {
		return err
	}
	found := ""
	for _, n := range names {
		if n == name || n == "run-"+name || (name == "latest" && n == names[len(names)-1]) {
			found = n
		}
	}
	if found == "" {
		return Usage(fmt.Errorf("no report %q in %s (have: %s)", name, dir, strings.Join(names, ", ")))
	}
	rep, err := readReport(filepath.Join(dir, found))
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(dir, found)
	}
	if err := writeReports(out, rep); err != nil {
		return err
	}
	fmt.Fprintln(g.stdout, filepath.Join(out, "report.html"))
	return nil
}
