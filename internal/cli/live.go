package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ferry-migrate/ferry/internal/mask"
	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/pipeline"
	"github.com/ferry-migrate/ferry/internal/plan"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/secret"
	"github.com/ferry-migrate/ferry/internal/validate"
)

// live is a plan prepared against a connected target: the target's real
// schema and lookups resolved in it.
type live struct {
	client   *odoo.Client
	pipeline *pipeline.Pipeline
}

// prepareLive connects to the plan's target, reads the schema of every
// model the plan writes, and prepares the pipeline with lookups answered
// by the target.
func prepareLive(ctx context.Context, g *globalOptions, t *targetOptions, p *plan.Plan, events progress.Sink) (*live, error) {
	c, err := t.dial(ctx, g, &p.Target)
	if err != nil {
		return nil, err
	}
	pl, err := pipelineFor(ctx, c, p, events)
	if pe, ok := err.(*pipeline.PlanError); ok {
		printFindings(g.stderr, pe.Findings)
		return nil, Usage(err)
	}
	if err != nil {
		return nil, err
	}
	return &live{client: c, pipeline: pl}, nil
}

// pipelineFor prepares p's pipeline against the target c: its schema,
// lookups answered by c, and masking.
func pipelineFor(ctx context.Context, c *odoo.Client, p *plan.Plan, events progress.Sink) (*pipeline.Pipeline, error) {
	schema, err := targetSchema(ctx, c, p)
	if err != nil {
		return nil, err
	}
	masker, err := maskerFor(p)
	if err != nil {
		return nil, err
	}
	keys, err := keySecretFor(p)
	if err != nil {
		return nil, err
	}
	companies, allowed, err := planCompanies(ctx, c, p)
	if err != nil {
		return nil, err
	}
	return pipeline.Prepare(ctx, p, pipeline.Options{Schema: schema, ServerVersion: c.Version().Major,
		Lookups: lookups{c}, Events: events, Masker: masker, KeySecret: keys, Companies: companies, AllowedCompanies: allowed})
}

// keySecretFor keys the hash of personal keys (personal_key: true) in
// external IDs with FERRY_MASK_KEY: any internal user can read external
// IDs, and a hash anyone can recompute would give guessable keys (emails,
// national numbers) away. Plans without personal keys need no key.
func keySecretFor(p *plan.Plan) (secret.String, error) {
	personal := false
	for _, e := range p.Entities {
		personal = personal || e.PersonalKey
	}
	if !personal {
		return secret.String{}, nil
	}
	key := os.Getenv("FERRY_MASK_KEY")
	if len(key) < 16 {
		return secret.String{}, Usage(errors.New("the plan hashes personal keys into external IDs (personal_key: true): set FERRY_MASK_KEY to a secret of 16 characters or more, the same in every run of the plan (without it the hash could be recomputed by anyone)"))
	}
	return secret.New("external-ids:" + key), nil
}

// targetSchema reads fields_get of the models the plan writes: its
// entities' models, then the comodels of their lines' one2many fields.
func targetSchema(ctx context.Context, c *odoo.Client, p *plan.Plan) (validate.Schema, error) {
	s := validate.Schema{}
	for _, e := range p.Entities {
		if err := addModel(ctx, c, s, e.Model); err != nil {
			return nil, err
		}
		for _, l := range e.Lines {
			rel := s[e.Model][l.Field].Relation
			if rel == "" {
				continue // the pipeline reports the unknown field
			}
			if err := addModel(ctx, c, s, rel); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

func addModel(ctx context.Context, c *odoo.Client, s validate.Schema, m string) error {
	if _, done := s[m]; done {
		return nil
	}
	defs, err := c.FieldsGet(ctx, m, []string{"type", "string", "required", "readonly", "store", "relation", "selection", "size", "translate"})
	if err != nil {
		return fmt.Errorf("read the schema of %s: %w", m, err)
	}
	fields := make(map[string]validate.Field, len(defs))
	for name, d := range defs {
		var f validate.Field
		b, _ := json.Marshal(d)
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("schema of %s.%s: %w", m, name, err)
		}
		f.Name = name
		fields[name] = f
	}
	s[m] = fields
	return nil
}

// lookups answers the pipeline's lookup() from the target: one search per
// batch of distinct values.
type lookups struct{ c *odoo.Client }

func (l lookups) Lookup(ctx context.Context, model, field string, values []string) (map[string][]int64, error) {
	list := make([]any, len(values))
	for i, v := range values {
		list[i] = v
	}
	out := map[string][]int64{}
	err := l.c.Each(ctx, model, odoo.Domain{[]any{field, "in", list}}, []string{field}, 1000, func(r map[string]any) error {
		id, _ := r["id"].(int64)
		k := fmt.Sprint(r[field])
		out[k] = append(out[k], id)
		return nil
	})
	return out, err
}

// maskerFor returns the masker for a plan whose entities declare mask:
// rules, keyed by FERRY_MASK_KEY; nil when none does. A production target
// is never masked (its data must be the real data).
func maskerFor(p *plan.Plan) (pipeline.Masker, error) {
	masked := false
	for _, e := range p.Entities {
		masked = masked || len(e.Mask) > 0
	}
	if !masked || p.Target.Environment == "production" {
		return nil, nil
	}
	key := os.Getenv("FERRY_MASK_KEY")
	if key == "" {
		return nil, Usage(errors.New("the plan masks personal data for a test target: set FERRY_MASK_KEY (16 characters or more; keep it secret, the same key masks the same way in every run)"))
	}
	m, err := mask.New(secret.New(key))
	if err != nil {
		return nil, Usage(err)
	}
	return m, nil
}
