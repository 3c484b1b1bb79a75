package scaffold

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// abbreviations expand one name token before names are compared.
var abbreviations = map[string]string{
	"no": "number", "nr": "number", "num": "number", "nbr": "number", "nummer": "number", "numero": "number",
	"cust": "customer", "kunde": "customer", "kunden": "customer", "client": "customer",
	"tel": "phone", "fon": "phone", "mob": "mobile", "cell": "mobile",
	"addr": "address", "adr": "address", "qty": "quantity", "amt": "amount", "desc": "description",
	"dt": "date", "cd": "code", "ctry": "country", "cntry": "country", "curr": "currency", "cur": "currency",
	"prod": "product", "cat": "category", "co": "company", "comp": "company", "postal": "post",
}

// synonyms are groups of names (normalised) that mean the same field; the
// first of a group is the Odoo field's name where one exists.
var synonyms = [][]string{
	{"email", "mail", "email_address", "courriel", "mail_address"},
	{"phone", "phone_number", "telephone", "telefon", "telefono", "telephone_number", "landline"},
	{"mobile", "mobile_phone", "mobile_number", "cellphone", "mobile_phone_number", "gsm", "handy", "portable"},
	{"zip", "zip_code", "postcode", "post_code", "postal_code", "plz", "postleitzahl", "code_post", "cp", "cap"},
	{"vat", "vat_number", "vat_id", "tax_id", "tax_number", "tva", "ust_id", "ustid", "nif", "btw"},
	{"name", "company", "company_name", "customer_name", "full_name", "partner_name", "raison_sociale", "nom", "firma", "razon_social", "product_name"},
	{"street", "street1", "address", "address1", "address_line_1", "address_line1", "rue", "strasse", "adresse", "calle"},
	{"street2", "address2", "address_line_2", "address_line2", "address_2"},
	{"city", "town", "ville", "ort", "stadt", "ciudad", "citta", "locality"},
	{"country", "country_code", "country_iso", "iso_country", "pays", "land", "pais"},
	{"state", "province", "region", "county", "bundesland"},
	{"website", "web", "url", "homepage", "site", "web_site", "www"},
	{"ref", "reference", "customer_reference", "internal_reference", "our_reference"},
	{"partner", "customer", "customer_number", "customer_code", "partner_number", "customer_account"},
	{"function", "job_title", "position", "job", "job_position", "fonction", "beruf"},
	{"comment", "notes", "note", "remarks", "remark", "comments", "memo", "bemerkung"},
	{"is_company", "company_flag", "is_a_company"},
	{"active", "enabled", "is_active"},
	{"default_code", "sku", "item_number", "item_code", "product_code", "article_number", "part_number", "artikelnummer"},
	{"barcode", "ean", "ean13", "gtin", "upc"},
	{"list_price", "price", "sale_price", "sales_price", "selling_price", "retail_price"},
	{"standard_price", "cost", "cost_price", "purchase_price", "unit_cost"},
	{"currency", "currency_code", "ccy", "waehrung", "devise"},
	{"lang", "language", "langue", "sprache"},
	{"invoice_date", "date_invoice", "bill_date"},
	{"invoice_date_due", "due_date", "date_due", "payment_due"},
	{"price_unit", "unit_price"},
	{"categ", "category", "product_category"},
	{"category", "tags", "tag", "categories"},
	{"uom", "unit", "unit_of_measure"},
	{"parent", "parent_company", "parent_customer"},
}

// synonymIndex maps a normalised name to the indexes of its groups.
var synonymIndex = func() map[string][]int {
	m := map[string][]int{}
	for i, g := range synonyms {
		for _, n := range g {
			m[n] = append(m[n], i)
		}
	}
	return m
}()

var stripAccents = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// Normalize folds a column name, field name or label to lowercase ASCII
// tokens joined by "_": accents removed, camelCase and any separator split,
// abbreviations expanded ("Cust. No" → customer_number, "E-Mail" → email,
// "Straße" → strasse).
func Normalize(s string) string { return normalize(s, true) }

// fold is Normalize without abbreviations and separators: the spelling
// compound words share ("Kunden-Nummer", "Kundennummer").
func fold(s string) string { return strings.ReplaceAll(normalize(s, false), "_", "") }

func normalize(s string, expand bool) string {
	if t, _, err := transform.String(stripAccents, s); err == nil {
		s = t
	}
	s = strings.ReplaceAll(s, "ß", "ss")
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			b.WriteByte('_')
		}
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte('_')
		}
		prev = r
	}
	tokens := strings.FieldsFunc(b.String(), func(r rune) bool { return r == '_' })
	out := make([]string, 0, len(tokens))
	for i := 0; i < len(tokens); i++ {
		t := tokens[i]
		if t == "e" && i+1 < len(tokens) && tokens[i+1] == "mail" { // e-mail, E_Mail
			t, i = "email", i+1
		}
		if x, ok := abbreviations[t]; ok && expand {
			t = x
		}
		out = append(out, t)
	}
	return strings.Join(out, "_")
}

// fieldBase is a field name without its relational suffix (country_id →
// country, category_ids → category).
func fieldBase(name string) string {
	for _, suf := range []string{"_ids", "_id"} {
		if strings.HasSuffix(name, suf) && len(name) > len(suf) {
			return strings.TrimSuffix(name, suf)
		}
	}
	return name
}

// sameGroup says whether two normalised names are synonyms.
func sameGroup(a, b string) bool {
	for _, i := range synonymIndex[a] {
		for _, j := range synonymIndex[b] {
			if i == j {
				return true
			}
		}
	}
	return false
}

// similarity is the Dice coefficient of two names' letter bigrams
// (separators ignored): 1 for equal names, 0 for nothing in common.
func similarity(a, b string) float64 {
	a, b = strings.ReplaceAll(a, "_", ""), strings.ReplaceAll(b, "_", "")
	if a == b {
		return 1
	}
	if len(a) < 2 || len(b) < 2 {
		return 0
	}
	grams := map[string]int{}
	for i := 0; i+2 <= len(a); i++ {
		grams[a[i:i+2]]++
	}
	common := 0
	for i := 0; i+2 <= len(b); i++ {
		if grams[b[i:i+2]] > 0 {
			grams[b[i:i+2]]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b)-2)
}
