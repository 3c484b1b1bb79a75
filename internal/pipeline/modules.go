package pipeline

import "strings"

// standardModules are module names of a standard Odoo (community and
// common enterprise) installation; a plan's namespace must not be one,
// because updating a module deletes the records in its namespace that are
// not noupdate. Used when the target's module list is not known.
var standardModules = strings.Fields(`
account account_accountant account_edi account_payment account_check_printing analytic auth_signup
auth_totp barcodes base base_automation base_import base_setup base_vat bus calendar contacts crm
delivery digest documents event fleet gamification google_calendar hr hr_attendance hr_contract
hr_expense hr_holidays hr_recruitment hr_timesheet http_routing iap im_livechat knowledge l10n_be
l10n_ch l10n_de l10n_es l10n_fr l10n_generic_coa l10n_it l10n_nl l10n_uk l10n_us lunch mail
maintenance marketing_automation mass_mailing membership mrp mrp_account onboarding payment
phone_validation point_of_sale portal pos_restaurant product project purchase purchase_stock
quality rating repair resource sale sale_management sale_stock sales_team sign sms snailmail
social_media spreadsheet stock stock_account survey timesheet_grid uom utm web web_editor
web_tour website website_sale`)

func isModule(name string, modules []string) bool {
	if modules == nil {
		modules = standardModules
	}
	for _, m := range modules {
		if m == name {
			return true
		}
	}
	return strings.HasPrefix(name, "l10n_") || strings.HasPrefix(name, "website_") || strings.HasPrefix(name, "theme_")
}
