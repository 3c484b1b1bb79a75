package security

import (
	"fmt"
	"html/template"
	"io"
	"text/tabwriter"
)

var page = template.Must(template.New("security").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Security audit{{with .Target}} of {{.}}{{end}}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.4em;text-align:left;vertical-align:top}.fail{background:#fde8e8}.not_checked{background:#fff6db}.pass{background:#eaf7ea}</style></head>
<body><h1>Security audit</h1>
<p>Target: {{.Target}}{{with .Version}} (Odoo {{.}}){{end}}{{with .Login}}, audited as {{.}}{{end}}</p>
<table><tr><th>id</th><th>check</th><th>result</th><th>severity</th><th>evidence</th><th>fix / needs</th></tr>
{{range .Findings}}<tr class="{{.Status}}"><td>{{.ID}}</td><td>{{.Check}}</td><td>{{.Status}}</td><td>{{if eq .Status "fail"}}{{.Severity}}{{end}}</td><td>{{.Evidence}}</td><td>{{.Fix}}{{with .Needs}}needs {{.}}{{end}}</td></tr>
{{end}}</table></body></html>
`))

// WriteHTML renders r as a standalone HTML page.
func WriteHTML(w io.Writer, r *Report) error { return page.Execute(w, r) }

// WriteText prints r as a table, one finding per line.
func WriteText(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRESULT\tSEVERITY\tCHECK\tEVIDENCE")
	for _, f := range r.Findings {
		sev, result := "", string(f.Status)
		if f.Status == Fail {
			sev = f.Severity.String()
		}
		if f.Status == NotChecked {
			result = "not checked: needs " + f.Needs
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.ID, result, sev, f.Check, f.Evidence)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, f := range r.Findings {
		if f.Status == Fail && f.Fix != "" {
			fmt.Fprintf(w, "fix %s: %s\n", f.ID, f.Fix)
		}
	}
	return nil
}
