// Package report renders the documents people sign: what a run or a
// verification did, per entity, with the identity read = loaded + unchanged
// + quarantined + skipped, the quarantined rows, the record differences and
// the control totals, together with the plan and source digests, the
// target, the context used, who ran it and when, and the audit log's head.
//
// One Report value renders three ways: a self-contained HTML file (no
// external assets; inline SVG charts; drill-down with <details>), a JSON
// document whose schema is versioned (SchemaVersion; docs/design/report.md)
// and Markdown. Values in a report are already masked where the run was;
// secrets never enter a Report (URLs are stored redacted).
package report
