package discover

import (
	"regexp"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/internal/mask"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Finding is one column that looks personal.
type Finding struct {
	Column  string  `json:"column"`
	Kind    string  `json:"kind"`    // the suggested mask kind
	Class   string  `json:"class"`   // what the values are: email, phone, iban, vat, card, national_id, or the name's kind
	Reason  string  `json:"reason"`  // "values" or "name"
	Share   float64 `json:"share"`   // of non-empty values that match (values), else 0
	Values  int     `json:"values"`  // non-empty values seen
	Matches int     `json:"matches"` // values that match
}

var (
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$`)
	phoneRE = regexp.MustCompile(`^\+?[\d\s().\-/]{7,20}$`)
	ibanRE  = regexp.MustCompile(`^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$`)
	vatRE   = regexp.MustCompile(`^[A-Z]{2}[\s.]?[0-9A-Z][0-9A-Z.\s]{7,13}$`)
	// dates are not personal by their values (invoice dates): only a
	// column name (birth) makes them so; they must not pass as phones.
	dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$`)
)

// valueKinds test a value, most specific first.
var valueKinds = []struct {
	kind string
	test func(string) bool
}{
	{"email", emailRE.MatchString},
	{"iban", func(s string) bool {
		c := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
		return ibanRE.MatchString(c) && mask.ValidIBAN(c)
	}},
	{"vat", func(s string) bool {
		return vatRE.MatchString(strings.ToUpper(s)) && strings.ContainsAny(s, "0123456789")
	}},
	{"card", isCard},
	{"national_id", isNationalID},
	{"phone", func(s string) bool { return phoneRE.MatchString(s) && digits(s) >= 7 }},
}

// maskKinds maps value classes that have no generator of their own to
// the mask kind that suits them.
var maskKinds = map[string]string{"card": "text", "national_id": "text"}

// nameKinds map words in a column name to a kind.
var nameKinds = []struct {
	words []string
	kind  string
}{
	{[]string{"email", "e_mail", "mail"}, "email"},
	{[]string{"phone", "mobile", "tel", "fax"}, "phone"},
	{[]string{"iban", "account_no", "bank_account"}, "iban"},
	{[]string{"vat", "tax_id"}, "vat"},
	{[]string{"birth", "dob"}, "date_shift"},
	{[]string{"first_name", "firstname", "given"}, "first_name"},
	{[]string{"last_name", "lastname", "surname", "family"}, "last_name"},
	{[]string{"contact", "person", "full_name", "customer_name"}, "person_name"},
	{[]string{"street", "address"}, "street"},
	{[]string{"city", "town"}, "city"},
	{[]string{"zip", "postcode", "postal"}, "zip"},
	{[]string{"ssn", "national_id", "passport", "social"}, "text"},
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// Scanner accumulates what the rows of one selection show.
type Scanner struct {
	columns []string
	seen    map[string]int
	hits    map[string]map[string]int
}

// NewScanner starts a scan of rows with these columns.
func NewScanner(columns []string) *Scanner {
	return &Scanner{columns: columns, seen: map[string]int{}, hits: map[string]map[string]int{}}
}

// Add looks at one record.
func (s *Scanner) Add(r *record.Record) {
	for _, c := range s.columns {
		v := strings.TrimSpace(record.Text(r.Values[c]))
		if v == "" {
			continue
		}
		s.seen[c]++
		if dateRE.MatchString(v) {
			continue
		}
		for _, k := range valueKinds {
			if k.test(v) {
				if s.hits[c] == nil {
					s.hits[c] = map[string]int{}
				}
				s.hits[c][k.kind]++
				break
			}
		}
	}
}

// Findings lists the columns that look personal: by their values (at
// least half of the non-empty values match a kind), else by their name. A
// bare "name" column counts only in a table that holds contact data (a
// product's name is not personal).
func (s *Scanner) Findings() []Finding {
	var out []Finding
	contacts := false
	for _, c := range s.columns {
		if f, ok := s.byValues(c); ok {
			out = append(out, f)
			contacts = contacts || f.Kind == "email" || f.Kind == "phone"
		} else if k := nameKind(c); k != "" {
			out = append(out, Finding{Column: c, Kind: k, Class: k, Reason: "name", Values: s.seen[c]})
		}
	}
	if contacts {
		for _, c := range s.columns {
			if strings.EqualFold(c, "name") {
				out = append(out, Finding{Column: c, Kind: "person_name", Class: "person_name", Reason: "name", Values: s.seen[c]})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Column < out[j].Column })
	return out
}

func (s *Scanner) byValues(c string) (Finding, bool) {
	best, n := "", 0
	for k, hits := range s.hits[c] {
		if hits > n || (hits == n && k < best) {
			best, n = k, hits
		}
	}
	if s.seen[c] == 0 || float64(n) < 0.5*float64(s.seen[c]) {
		return Finding{}, false
	}
	kind := best
	if k, ok := maskKinds[best]; ok {
		kind = k
	}
	return Finding{Column: c, Kind: kind, Class: best, Reason: "values", Share: float64(n) / float64(s.seen[c]), Values: s.seen[c], Matches: n}, true
}

func nameKind(column string) string {
	c := strings.ToLower(column)
	for _, nk := range nameKinds {
		for _, w := range nk.words {
			if strings.Contains(c, w) {
				return nk.kind
			}
		}
	}
	return ""
}
