package verify

import (
	"math"
	"sort"
	"strconv"
)

// TotalDiff is one group of a control whose source and target values differ
// by more than the tolerance, or that exists on one side only.
type TotalDiff struct {
	Group  string  `json:"group"`
	Source float64 `json:"source"`
	Target float64 `json:"target"`
	Delta  float64 `json:"delta"`
	Only   string  `json:"only,omitempty"` // "source" or "target" when the group is missing on the other side
}

// ControlResult is the verdict on one control total.
type ControlResult struct {
	Name      string      `json:"name"`
	Status    Status      `json:"status"`           // match, differ, or NotChecked
	Reason    string      `json:"reason,omitempty"` // why it was not checked ("needs read access to account.move.line")
	Tolerance float64     `json:"tolerance"`        // absolute, per group
	Groups    int         `json:"groups"`           // groups compared
	Diffs     []TotalDiff `json:"diffs,omitempty"`  // every group outside the tolerance
	Source    float64     `json:"source_total"`     // sum over groups
	Target    float64     `json:"target_total"`     // sum over groups
}

// NotChecked marks a control Ferry could not evaluate; it never passes.
const NotChecked Status = "not_checked"

// CompareTotals compares per-group values. A group passes when
// |source - target| <= tolerance; the comparison is done in units of 1e-9 so
// that a tolerance of 0.01 accepts a difference of exactly one cent despite
// binary floating point.
func CompareTotals(name string, source, target map[string]float64, tolerance float64) ControlResult {
	res := ControlResult{Name: name, Status: Match, Tolerance: tolerance}
	for _, g := range groupNames(source, target) {
		s, inS := source[g]
		t, inT := target[g]
		res.Groups++
		res.Source += s
		res.Target += t
		d := TotalDiff{Group: g, Source: s, Target: t, Delta: round9(t - s)}
		switch {
		case !inS && t != 0:
			d.Only = "target"
		case !inT && s != 0:
			d.Only = "source"
		case math.Abs(d.Delta) <= round9(tolerance):
			continue
		}
		res.Diffs = append(res.Diffs, d)
	}
	if len(res.Diffs) > 0 {
		res.Status = Differ
	}
	res.Source, res.Target = round9(res.Source), round9(res.Target)
	return res
}

// Skipped is a control that could not run, with the reason.
func Skipped(name, reason string) ControlResult {
	return ControlResult{Name: name, Status: NotChecked, Reason: reason}
}

// round9 rounds away float noise (and never gives -0, which prints as
// "-0.00").
func round9(x float64) float64 { return math.Round(x*1e9)/1e9 + 0 }

func groupNames(a, b map[string]float64) []string {
	seen := make(map[string]bool, len(a)+len(b))
	var out []string
	for _, m := range []map[string]float64{a, b} {
		for g := range m {
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return naturalLess(out[i], out[j]) })
	return out
}

func naturalLess(a, b string) bool {
	ai, errA := strconv.ParseInt(a, 10, 64)
	bi, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return ai < bi
	}
	return a < b
}
