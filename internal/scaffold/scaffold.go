package scaffold

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/ferry-migrate/ferry/internal/diag"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// Target is the plan's target block. Secrets appear only as the name of
// the environment variable that holds them.
type Target struct {
	URL, Database, Login string
	SecretKey            string // "api_key" or "password"
	SecretEnv            string // the environment variable holding it
	Schema               string // offline schema snapshot, relative to the plan
}

// Input is everything Build needs: names for the plan, the source as the
// plan declares it, the sampled rows and the model's fields.
type Input struct {
	Name, Namespace string
	Entity, Model   string
	SourceName      string
	Source          source.Spec
	From            source.Select
	Target          Target
	Columns         []record.Column
	Rows            []map[string]any
	Fields          map[string]validate.Field
	// Origin and SchemaOrigin name the source and the schema in the
	// plan's header comment.
	Origin, SchemaOrigin string
}

// Result is the drafted plan and what Build decided.
type Result struct {
	YAML      []byte
	Profiles  []Profile
	Matches   []Match
	Key       string
	KeyUnique bool
	Unmatched []string // columns no field takes
	Required  []string // required writable fields nothing maps
}

// fieldLine is one line of the plan's fields: block.
type fieldLine struct {
	field, expr, column string
	notes               []string
}

// Build drafts the plan. The error says why no plan could be drafted (no
// columns, no field matched and nothing to fall back on) or that the draft
// does not load, which is a bug.
func Build(ctx context.Context, in Input) (*Result, error) {
	if len(in.Columns) == 0 {
		return nil, errors.New("the source has no columns")
	}
	res := &Result{}
	for _, c := range in.Columns {
		res.Profiles = append(res.Profiles, ProfileColumn(c, in.Rows))
	}
	res.Matches = Assign(res.Profiles, in.Fields)
	res.Key, res.KeyUnique = PickKey(res.Profiles)
	maps := mappings(in, res)
	if len(maps) == 0 {
		return nil, fmt.Errorf("no column matches a writable field of %s, and it has no name field to fall back on", in.Model)
	}
	mapped := map[string]bool{}
	for _, m := range maps {
		mapped[m.field] = true
	}
	used := map[string]bool{}
	for _, m := range res.Matches {
		used[m.Column] = true
	}
	for _, p := range res.Profiles {
		if !used[p.Name] && p.Name != res.Key {
			res.Unmatched = append(res.Unmatched, p.Name)
		}
	}
	for _, f := range in.Fields {
		if f.Required && Writable(f) && !mapped[f.Name] {
			res.Required = append(res.Required, f.Name)
		}
	}
	sort.Strings(res.Required)
	res.YAML = render(in, res, maps, masks(in.Model, maps))
	if err := check(ctx, res.YAML, in); err != nil {
		return nil, err
	}
	return res, nil
}

// check loads the draft and prepares it against the model's fields, as
// ferry validate will: a finding here is a bug of this package.
func check(ctx context.Context, y []byte, in Input) error {
	p, ds := plan.Parse(y, "plan.yaml")
	if diag.Max(ds) >= diag.Error {
		return fmt.Errorf("the drafted plan does not load: %s", ds[0].String())
	}
	_, err := pipeline.Prepare(ctx, p, pipeline.Options{Schema: validate.Schema{in.Model: in.Fields}})
	var pe *pipeline.PlanError
	if errors.As(err, &pe) {
		for _, d := range pe.Findings {
			if d.Severity >= diag.Error {
				return fmt.Errorf("the drafted plan does not pass the schema: %s", d.String())
			}
		}
	}
	return err
}

// mappings turns the matches into field lines, in the source's column
// order, and adds the fallbacks: the key column into ref (or name).
func mappings(in Input, res *Result) []fieldLine {
	byCol := map[string]Match{}
	for _, m := range res.Matches {
		byCol[m.Column] = m
	}
	mappedField := map[string]bool{}
	var out []fieldLine
	for _, p := range res.Profiles {
		m, ok := byCol[p.Name]
		if !ok {
			continue
		}
		f := in.Fields[m.Field]
		expr, notes := Expr(p, f)
		head := fmt.Sprintf("matched by %s (%.2f); %s", m.Reason, m.Score, m.Fit)
		out = append(out, fieldLine{field: m.Field, expr: expr, column: p.Name, notes: append([]string{head}, notes...)})
		mappedField[m.Field] = true
	}
	if _, keyUsed := byCol[res.Key]; keyUsed || res.Key == "" {
		return out
	}
	for _, name := range []string{"ref", "name"} {
		f, ok := in.Fields[name]
		if !ok || mappedField[name] || !Writable(f) || f.Type != "char" || (name == "name" && len(out) > 0) {
			continue
		}
		note := "guess: the key column, kept as the record's reference"
		if name == "name" {
			note = "TODO no column matched a field: the key column as a placeholder name"
		}
		return append(out, fieldLine{field: name, expr: "trim(" + rowRef(res.Key) + ")", column: res.Key, notes: []string{note}})
	}
	return out
}
