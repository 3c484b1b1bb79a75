package verify

import (
	"fmt"
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Field is what the comparison needs to know about a target field.
type Field struct {
	Name     string
	Type     string // Odoo field type: char, integer, many2one…
	Digits   int    // decimal places for float/monetary; -1 when unknown
	Relation string
	Currency string  // a monetary field's currency field (fields_get's currency_field)
	Step     float64 // a monetary value's rounding step (its currency's); 0: by Digits
}

// Resolver turns Odoo database ids into the external IDs Ferry wrote, so
// relations compare by external ID. XMLID returns "" when the record has
// none that Ferry knows.
type Resolver interface {
	XMLID(model string, id int64) string
}

// compareField returns the canonical wanted and got values of one field
// and whether they are equal.
func compareField(f Field, want, got any, r Resolver) (w, g string, equal bool) {
	if w, g, eq, ok := compareAttachment(f, want, got, r); ok { // files and references by id (attachments.go)
		return w, g, eq
	}
	switch f.Type {
	case "many2one":
		wants := refKeys([]record.Ref{asRef(want)})
		w, g = strings.Join(wants, ","), strings.Join(gotKeys(f.Relation, gotIDs(got), wants, r), ",")
	case "many2many", "one2many":
		refs, _ := want.([]record.Ref)
		wants := refKeys(refs)
		w, g = strings.Join(wants, ","), strings.Join(gotKeys(f.Relation, gotIDs(got), wants, r), ",")
	default:
		w, g = canonScalar(f, want), canonScalar(f, got)
	}
	return w, g, w == g
}

func canonScalar(f Field, v any) string {
	switch f.Type {
	case "integer":
		n, _ := toFloat(v)
		return strconv.FormatInt(int64(n), 10)
	case "float", "monetary":
		n, _ := toFloat(v)
		return formatFloat(n, f.Digits, f.Step)
	case "boolean":
		b, _ := v.(bool)
		return strconv.FormatBool(b)
	case "html":
		return sanitizeHTML(text(v))
	}
	return text(v)
}

// text maps nil, false and "" to "" and renders everything else.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if !x {
			return ""
		}
		return "true"
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, v == nil || v == false
}

// formatFloat renders n as Odoo stores it in a float field of digits
// decimal places (or a monetary field whose currency has that many):
// float_repr(float_round(n, digits), digits), the text Odoo writes into the
// field's numeric column and so what a read returns. A result of zero has
// no sign: float_repr drops it, and PostgreSQL's numeric has no -0 (Odoo 18
// reads -0.001 at 2 digits back as 0.0). Unknown digits (-1) give %.15g.
// A monetary value rounds by its currency's step (res.currency.round) and
// prints with the currency's decimal places.
func formatFloat(n float64, digits int, step float64) string {
	if digits < 0 {
		return strconv.FormatFloat(n, 'g', 15, 64)
	}
	var r float64
	if step > 0 {
		r = odoo.FloatRoundStep(n, step)
	} else {
		r = odoo.FloatRound(n, digits)
	}
	if r == 0 {
		r = 0 // -0 → 0
	}
	return strconv.FormatFloat(r, 'f', digits, 64)
}

func asRef(v any) record.Ref {
	switch r := v.(type) {
	case record.Ref:
		return r
	case *record.Ref:
		if r != nil {
			return *r
		}
	}
	return record.Ref{}
}

// refKeys renders references as sorted keys "xmlid:<id>" or "id:<n>".
func refKeys(refs []record.Ref) []string {
	keys := make([]string, 0, len(refs))
	for _, r := range refs {
		switch {
		case r.ExternalID != "":
			keys = append(keys, "xmlid:"+r.ExternalID)
		case r.ID != 0:
			keys = append(keys, "id:"+strconv.FormatInt(r.ID, 10))
		}
	}
	sort.Strings(keys)
	return keys
}

// gotIDs extracts database ids from a many2one pair [id, name], a bare id,
// or an x2many id list.
func gotIDs(v any) []int64 {
	var ids []int64
	switch x := v.(type) {
	case []any:
		if len(x) == 2 {
			if _, isName := x[1].(string); isName {
				x = x[:1]
			}
		}
		for _, e := range x {
			if n, _ := toFloat(e); n != 0 {
				ids = append(ids, int64(n))
			}
		}
	case nil, bool:
	default:
		if n, _ := toFloat(x); n != 0 {
			ids = append(ids, int64(n))
		}
	}
	return ids
}

// gotKeys renders target ids as keys comparable with wants: an id whose
// external ID is among the wanted keys compares by external ID, any other
// by database id (so a wrong record never matches).
func gotKeys(model string, ids []int64, wants []string, r Resolver) []string {
	want := make(map[string]bool, len(wants))
	for _, k := range wants {
		want[k] = true
	}
	keys := make([]string, 0, len(ids))
	for _, id := range ids {
		k := "id:" + strconv.FormatInt(id, 10)
		if r != nil {
			if x := r.XMLID(model, id); x != "" && (want["xmlid:"+x] || !want[k]) {
				k = "xmlid:" + x
			}
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var (
	scriptRe = regexp.MustCompile(`(?is)<script\b.*?</script\s*>`)
	tagRe    = regexp.MustCompile(`<[a-zA-Z/!][^>]*>`)
)

// sanitizeHTML approximates what Odoo stores for an html field: scripts
// removed, bare text wrapped in <p>. Both sides go through it, so the
// comparison is insensitive to the parts it does not model.
func sanitizeHTML(s string) string {
	s = strings.TrimSpace(scriptRe.ReplaceAllString(s, ""))
	if s == "" {
		return ""
	}
	if !tagRe.MatchString(s) {
		s = "<p>" + html.EscapeString(html.UnescapeString(s)) + "</p>"
	}
	return s
}
