package report

import (
	"embed"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io"
	"math"
	"strings"
	texttemplate "text/template"
	"time"
)

//go:embed templates/*
var templates embed.FS

var funcs = map[string]any{
	"pct":         pct,
	"bar":         bar,
	"time":        func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"join":        strings.Join,
	"short":       func(s string) string { return shorten(s, 16) },
	"ok":          func(b bool) string { return map[bool]string{true: "holds", false: "BROKEN"}[b] },
	"money":       func(f float64) string { return fmt.Sprintf("%.2f", f) },
	"mdesc":       func(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) },
	"chartHeight": func(es []Entity) int { return 18*len(es) + 4 },
	"rowY":        func(i int) int { return 18 * i },
}

var (
	htmlTmpl = htmltemplate.Must(htmltemplate.New("report.html.tmpl").Funcs(funcs).ParseFS(templates, "templates/report.html.tmpl"))
	mdTmpl   = texttemplate.Must(texttemplate.New("report.md.tmpl").Funcs(funcs).ParseFS(templates, "templates/report.md.tmpl"))
)

// Format names an output form.
type Format string

// Output forms.
const (
	HTML     Format = "html"
	JSON     Format = "json"
	Markdown Format = "md"
)

// Render writes r in format f.
func Render(w io.Writer, r *Report, f Format) error {
	r.SchemaVersion = SchemaVersion
	var err error
	switch f {
	case HTML:
		err = htmlTmpl.Execute(w, r)
	case Markdown:
		err = mdTmpl.Execute(w, r)
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	default:
		return fmt.Errorf("report: unknown format %q (want html, json or md)", f)
	}
	if err != nil {
		return fmt.Errorf("report: render %s: %w", f, err)
	}
	return nil
}

func pct(part, whole int64) string {
	if whole == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
}

// Segment is one coloured part of an entity's bar in the chart.
type Segment struct {
	X, Width int
	Color    string
	Label    string
}

// Segments splits the entity's 300-pixel bar into loaded, unchanged,
// quarantined and skipped parts.
func (e Entity) Segments() []Segment {
	c := e.Counts
	parts := []struct {
		n     int64
		color string
		name  string
	}{{c.Loaded, "#2e7d32", "loaded"}, {c.Unchanged, "#90a4ae", "unchanged"}, {c.Quarantined, "#c62828", "quarantined"}, {c.Skipped, "#f9a825", "skipped"}}
	x, out := 160, []Segment{}
	for _, p := range parts {
		if w := bar(p.n, c.Read); w > 0 {
			out = append(out, Segment{X: x, Width: w, Color: p.color, Label: fmt.Sprintf("%s %d", p.name, p.n)})
			x += w
		}
	}
	return out
}

// bar is the width in pixels (out of 300) of part relative to whole.
func bar(part, whole int64) int {
	if whole == 0 || part <= 0 {
		return 0
	}
	return int(math.Max(1, math.Round(300*float64(part)/float64(whole))))
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
