package load

import "github.com/ferry-migrate/ferry/internal/diag"

// Finding codes of the loader (LOAD4xx).
const (
	CodeRejected        = "LOAD400" // Odoo refused the row
	CodeNotLoaded       = "LOAD401" // pass 1 did not load the row: its links are not written
	CodeAfterLoad       = "LOAD402" // an after-load action failed on the record
	CodeMixedRefs       = "LOAD403" // a many2many mixes external IDs and database ids
	CodeWarning         = "LOAD404" // Odoo loaded the row with a warning
	CodeUnattributed    = "LOAD405" // Odoo rejected the row alone without a message
	CodeChangedInTarget = "LOAD406" // changed_in_target: someone changed the record in Odoo since Ferry wrote it
	CodeLockedInTarget  = "LOAD409" // locked_in_target: the document is posted or done in Odoo
)

func init() {
	diag.Codes = append(diag.Codes,
		diag.Code{Code: CodeRejected, Summary: "Odoo refused the row; its message says why"},
		diag.Code{Code: CodeNotLoaded, Summary: "the row was not loaded in pass 1, so its links are not written"},
		diag.Code{Code: CodeAfterLoad, Summary: "an after-load action (action_post, …) failed on the record"},
		diag.Code{Code: CodeMixedRefs, Summary: "a many2many value mixes external IDs and database ids"},
		diag.Code{Code: CodeWarning, Summary: "Odoo loaded the row with a warning"},
		diag.Code{Code: CodeUnattributed, Summary: "Odoo rejected the row sent alone without saying why"},
		diag.Code{Code: CodeLockedInTarget, Summary: "locked_in_target: the document is posted or done in Odoo, which refuses changes; the update is not sent"},
		diag.Code{Code: CodeChangedInTarget, Summary: "changed_in_target: someone changed the record in Odoo since Ferry wrote it; not overwritten without --overwrite-target-edits"},
	)
}
