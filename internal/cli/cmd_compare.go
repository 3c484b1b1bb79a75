package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ferry-migrate/ferry/internal/snapshot"
)

type compareOptions struct {
	MapFile string
	Limit   int
}

func (o *compareOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.MapFile, "map", "", "YAML file of model and field renames (and domains restricting new models)")
	fs.IntVar(&o.Limit, "limit", 20, "record ids listed per model and bucket (0 = all)")
}

func newCompareCmd(g *globalOptions) *cobra.Command {
	o := &compareOptions{}
	cmd := &cobra.Command{
		Use:   "compare BEFORE AFTER",
		Short: "Compare two snapshots taken before and after an in-place upgrade",
		Long: `Compare lists, per model of BEFORE, the records lost, added and changed in AFTER
(with the names of the changed fields) and the control totals that moved.

Models and fields are matched by name; --map covers renames. Ferry has no built-in
version packs: a restructuring (account.invoice into account.move) is declared by you.

EXIT STATUS
  0  nothing lost, added or changed
  7  differences found
  2  usage error; 1 unreadable snapshot`,
		Example: "  ferry snapshot -o before.json --model res.partner --model account.move\n" +
			"  # upgrade…\n  ferry snapshot -o after.json --model res.partner --model account.move\n" +
			"  ferry compare before.json after.json --map renames.yaml",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error { return runCompare(o, g, args[0], args[1]) },
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func runCompare(o *compareOptions, g *globalOptions, beforePath, afterPath string) error {
	before, err := snapshot.Read(beforePath)
	if err != nil {
		return err
	}
	after, err := snapshot.Read(afterPath)
	if err != nil {
		return err
	}
	var m *snapshot.Map
	if o.MapFile != "" {
		if m, err = snapshot.ReadMap(o.MapFile); err != nil {
			return Usage(err)
		}
	}
	diffs := snapshot.Compare(before, after, m)
	if g.JSON {
		err = json.NewEncoder(g.stdout).Encode(diffs)
	} else {
		err = printCompare(g.stdout, diffs, o.Limit)
	}
	if err != nil {
		return err
	}
	for _, d := range diffs {
		if !d.Clean() {
			return Exit(ExitDifferences, errors.New("the snapshots differ"))
		}
	}
	return nil
}

func printCompare(w io.Writer, diffs []snapshot.ModelDiff, limit int) error {
	for _, d := range diffs {
		name := d.Model
		if d.After != d.Model {
			name += " → " + d.After
		}
		if d.MissingAll {
			fmt.Fprintf(w, "%s: %d records before, model absent after\n", name, d.CountBefore)
			continue
		}
		status := "unchanged"
		if !d.Clean() {
			status = "DIFFERS"
		}
		fmt.Fprintf(w, "%s: %s — %d records before, %d after; %d lost, %d added, %d changed\n",
			name, status, d.CountBefore, d.CountAfter, len(d.Lost), len(d.Added), len(d.Changed))
		printIDs(w, "lost", d.Lost, limit)
		printIDs(w, "added", d.Added, limit)
		for i, c := range d.Changed {
			if limit > 0 && i == limit {
				fmt.Fprintf(w, "  … %d more changed\n", len(d.Changed)-limit)
				break
			}
			fmt.Fprintf(w, "  changed id %d: %v\n", c.ID, c.Fields)
		}
		for _, t := range d.Totals {
			fmt.Fprintf(w, "  total %s: %.2f before, %.2f after\n", t.Field, t.Before, t.After)
		}
	}
	return nil
}

func printIDs(w io.Writer, what string, ids []int64, limit int) {
	if len(ids) == 0 {
		return
	}
	shown := ids
	if limit > 0 && len(ids) > limit {
		shown = ids[:limit]
	}
	fmt.Fprintf(w, "  %s ids: %v", what, shown)
	if len(shown) < len(ids) {
		fmt.Fprintf(w, " … and %d more", len(ids)-len(shown))
	}
	fmt.Fprintln(w)
}
