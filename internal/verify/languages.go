package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// LanguageError says the target does not have languages active that a
// plan's translations need: writing or reading in them would be refused
// (Odoo: "The following languages are not activated", "Invalid language
// code"). The CLI exits 2.
type LanguageError struct {
	Missing []string
}

func (e *LanguageError) Error() string {
	what, it := "language "+e.Missing[0]+" is", "it"
	if len(e.Missing) > 1 {
		what, it = "languages "+strings.Join(e.Missing, ", ")+" are", "them"
	}
	return fmt.Sprintf("%s not active in the target: the plan's translations need %s; activate %s in Odoo (Settings › Languages) and run again",
		what, it, it)
}

// ExitCode makes the CLI exit 2 (configuration).
func (e *LanguageError) ExitCode() int { return 2 }

// SearchReader finds records; *odoo.Client is one.
type SearchReader interface {
	SearchRead(ctx context.Context, model string, domain odoo.Domain, fields []string, p odoo.Page) ([]map[string]any, error)
}

// CheckLanguages returns a *LanguageError naming the languages of langs
// that are not active in the target (res.lang with active = true, what
// Odoo's get_installed lists; en_US is always accepted).
func CheckLanguages(ctx context.Context, t SearchReader, langs []string) error {
	if len(langs) == 0 {
		return nil
	}
	recs, err := t.SearchRead(ctx, "res.lang", odoo.Domain{[]any{"active", "=", true}}, []string{"code"}, odoo.Page{})
	if err != nil {
		return fmt.Errorf("read the target's active languages: %w", err)
	}
	active := map[string]bool{"en_US": true}
	for _, r := range recs {
		if c, ok := r["code"].(string); ok {
			active[c] = true
		}
	}
	var missing []string
	for _, l := range langs {
		if !active[l] {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return &LanguageError{Missing: missing}
}
