package load

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// Target is the Odoo database the loader writes to; *odoo.Client is one.
// Its methods are called from the loader's worker goroutines, concurrently;
// errors are *odoo.Error values, and retryable ones have already been
// retried by the implementation when they reach the loader.
type Target interface {
	// Load is create-or-update by external ID ("id" column); see
	// (*odoo.Client).Load. A rolled-back answer is a result, not an error.
	Load(ctx context.Context, model string, fields []string, rows [][]string, extra map[string]any) (*odoo.LoadResult, error)
	// Read returns fields of the records ids (before-images, states).
	Read(ctx context.Context, model string, ids []int64, fields []string) ([]map[string]any, error)
	// SearchRead finds the records of our external IDs that already exist
	// (on ir.model.data).
	SearchRead(ctx context.Context, model string, domain odoo.Domain, fields []string, p odoo.Page) ([]map[string]any, error)
	// Execute calls after-load methods (action_post, …).
	Execute(ctx context.Context, model, method string, args []any, kwargs map[string]any) (any, error)
	// FieldsGet and ExternalIDs serve the check for records changed in
	// Odoo since an earlier run wrote them.
	FieldsGet(ctx context.Context, model string, attributes []string) (map[string]map[string]any, error)
	ExternalIDs(ctx context.Context, model string, ids []int64) (map[int64]string, error)
	// Unlink deletes the lines a plan's replace: removes.
	Unlink(ctx context.Context, model string, ids []int64) error
}

var _ Target = (*odoo.Client)(nil)
