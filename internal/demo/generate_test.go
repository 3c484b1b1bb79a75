package demo

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "regenerate the demo data")

// TestGenerate checks that the committed data is what the generator makes
// (and rewrites it with -update).
func TestGenerate(t *testing.T) {
	for name, rows := range generate() {
		path := filepath.Join("data", name)
		var b strings.Builder
		w := csv.NewWriter(&b)
		require.NoError(t, w.WriteAll(rows))
		if *update {
			require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, b.String(), string(got), "%s is stale: run go test ./internal/demo -run TestGenerate -update", path)
	}
}

type gen struct {
	r *rand.Rand
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

var (
	firstNames = []string{"Anna", "Bruno", "Chloé", "David", "Elena", "Farid", "Greta", "Hugo", "Inès", "Jonas", "Karin", "Luca", "Maya", "Nils", "Olga", "Pierre", "Quentin", "Rosa", "Sven", "Tessa"}
	lastNames  = []string{"Müller", "Dubois", "Rossi", "García", "Jansen", "Nowak", "Schmidt", "Martin", "Bianchi", "López", "de Vries", "Kowalski", "Weber", "Bernard", "Ricci"}
	companies  = []string{"Alpen", "Nordlicht", "Soleil", "Vento", "Brixen", "Kasimir", "Delta", "Orion", "Lumen", "Atlas", "Kobalt", "Fjord"}
	suffixes   = []string{"GmbH", "SARL", "S.p.A.", "B.V.", "AG", "Ltd", "SAS"}
	cities     = []struct{ city, zip, country string }{
		{"Berlin", "10115", "DE"}, {"Lyon", "69001", "FR"}, {"Milano", "20121", "IT"}, {"Madrid", "28001", "ES"},
		{"Utrecht", "3511", "NL"}, {"Kraków", "30-001", "PL"}, {"Basel", "4001", "CH"}, {"Wien", "1010", "AT"},
		{"Gent", "9000", "BE"}, {"Porto", "4000-001", "PT"},
	}
	categories = [][]string{{"code", "name", "parent_code"}, {"ALL", "All Products", ""}, {"HW", "Hardware", "ALL"},
		{"HW-T", "Tools", "HW"}, {"HW-F", "Fasteners", "HW"}, {"EL", "Electrical", "ALL"}, {"EL-C", "Cables", "EL"},
		{"EL-L", "Lighting", "EL"}, {"GD", "Garden", "ALL"}, {"GD-S", "Seeds", "GD"}, {"SV", "Services", "ALL"},
		{"OF", "Office", "ALL"}, {"OF-P", "Paper", "OF"}}
	uoms = []string{"Units", "Units", "Units", "kg", "m", "L", "Dozens", "Hours"}
)

func generate() map[string][][]string {
	g := &gen{r: rand.New(rand.NewPCG(2026, 11))}
	customers := g.customers()
	products := g.products()
	invoices, lines := g.invoices(customers, products)
	open := g.openItems(customers)
	return map[string][][]string{
		"categories.csv": categories, "customers.csv": customers, "products.csv": products,
		"invoices.csv": invoices, "invoice_lines.csv": lines, "scans.csv": scansIndex(invoices),
		"open_items.csv": open, "opening.csv": opening, "trial_balance.csv": trialBalance(open),
	}
}

// The books are opened at 31/12/2023: the invoices of 2023 still unpaid
// then arrive as open items with their residual, the other balances in
// one opening entry; 2024 arrives in full.
var opening = [][]string{{"entry", "date", "ref"}, {"OPEN-2023", "31/12/2023", "Opening balances at 31/12/2023"}}

// openItems are 2023 invoices unpaid at the cut-off, for customers that
// load cleanly.
func (g *gen) openItems(customers [][]string) [][]string {
	seen := map[string]int{}
	for _, c := range customers[1:] {
		seen[c[0]]++
	}
	var ok [][]string
	for _, c := range customers[1:] {
		if c[1] == "C" && c[11] == "active" && seen[c[0]] == 1 && strings.Contains(c[4], "@") && len(c[9]) == 2 && c[9] != "XX" && c[9] != "UK" {
			ok = append(ok, c)
		}
	}
	rows := [][]string{{"invoice_no", "customer", "date", "due", "residual"}}
	for i := 1; i <= 40; i++ {
		c := ok[g.r.IntN(len(ok))]
		day, month := 1+g.r.IntN(28), 9+g.r.IntN(4)
		rows = append(rows, []string{fmt.Sprintf("INV/2023/%04d", 800+i*3), c[0], fmt.Sprintf("%02d/%02d/2023", day, month),
			fmt.Sprintf("%02d/%02d/2024", day, month-6), deNumber(float64(1000+g.r.IntN(900000)) / 100)})
	}
	return rows
}

// trialBalance is the legacy ledger's balance per account at the cut-off
// (debit − credit; receivables are the open items' sum, undistributed
// profits balance the rest).
func trialBalance(open [][]string) [][]string {
	cents := func(s string) int64 {
		var a, b int64
		fmt.Sscanf(strings.Replace(s, ",", " ", 1), "%d %d", &a, &b)
		return a*100 + b
	}
	var receivable int64
	for _, r := range open[1:] {
		receivable += cents(r[4])
	}
	rows := [][]string{{"entry", "account", "name", "balance"}}
	sum := int64(0)
	add := func(code, name string, c int64) {
		sum += c
		rows = append(rows, []string{"OPEN-2023", code, name, deNumber(float64(c) / 100)})
	}
	add("101401", "Bank", 15234055)
	add("110100", "Stock Valuation", 6127540)
	add("121000", "Account Receivable", receivable)
	add("151000", "Fixed Asset", 8450000)
	add("201000", "Current Liabilities", -2310075)
	add("301000", "Capital", -10000000)
	add("999999", "Undistributed Profits/Losses", -sum)
	return rows
}

func (g *gen) customers() [][]string {
	rows := [][]string{{"cust_no", "kind", "company_of", "name", "email", "phone", "street", "zip", "city", "country", "vat", "status"}}
	n := 0
	for i := 1; i <= 500; i++ {
		c := cities[g.r.IntN(len(cities))]
		no := fmt.Sprintf("C%05d", i)
		name := g.pick(companies) + " " + g.pick(companies) + " " + g.pick(suffixes)
		dom := strings.ToLower(strings.Fields(name)[0]+strings.Fields(name)[1]) + fmt.Sprint(i) + ".example"
		vat := fmt.Sprintf("%s %03d %03d %03d", c.country, g.r.IntN(1000), g.r.IntN(1000), g.r.IntN(1000))
		rows = append(rows, []string{no, "C", "", name, "info@" + dom, g.phone(), fmt.Sprintf("%d Market Street", i), c.zip, c.city, c.country, vat, g.status()})
		for k := 0; k < 1+g.r.IntN(3); k++ {
			n++
			f, l := g.pick(firstNames), g.pick(lastNames)
			email := strings.ToLower(f+"."+strings.ReplaceAll(l, " ", "")) + "@" + dom
			rows = append(rows, []string{fmt.Sprintf("P%05d", n), "P", no, f + " " + l, email, g.phone(), "", c.zip, c.city, c.country, "", "active"})
		}
	}
	return dirtyCustomers(rows)
}

func (g *gen) phone() string {
	return fmt.Sprintf("+%d %d %03d %04d", 30+g.r.IntN(20), g.r.IntN(90)+10, g.r.IntN(1000), g.r.IntN(10000))
}

func (g *gen) status() string {
	if g.r.IntN(25) == 0 {
		return "closed"
	}
	return "active"
}

// dirtyCustomers plants the dirt: malformed emails, unknown countries,
// duplicated customer numbers, the same customer entered twice, a contact
// of a company that does not exist, a key with spaces.
func dirtyCustomers(rows [][]string) [][]string {
	for i := 7; i < len(rows); i += 97 {
		rows[i][4] = strings.Replace(rows[i][4], "@", " at ", 1)
	}
	for i := 11; i < len(rows); i += 151 {
		rows[i][9] = []string{"XX", "Atlantis", "UK"}[i%3]
	}
	for i := 20; i < len(rows); i += 211 {
		dup := append([]string(nil), rows[i]...)
		dup[3] += " (copy)"
		rows = append(rows, dup)
	}
	for i := 30; i < len(rows) && i < 400; i += 123 {
		twin := append([]string(nil), rows[i]...)
		twin[0] = "X" + twin[0][1:]
		twin[4] = " " + strings.ToUpper(twin[4]) + " "
		rows = append(rows, twin)
	}
	rows = append(rows, []string{"P99999", "P", "C99999", "Orphan Contact", "orphan@nowhere.example", "", "", "", "", "DE", "", "active"})
	return rows
}

// french names the products in fr_BE: the noun, then the adjective.
var french = map[string]string{"Heavy": "lourd", "Compact": "compact", "Pro": "pro", "Eco": "éco", "Classic": "classique",
	"Mini": "mini", "Max": "max", "Steel": "acier", "Smart": "intelligent", "Twin": "double",
	"Hammer": "Marteau", "Wrench": "Clé", "Saw": "Scie", "Drill": "Perceuse", "Screws": "Vis", "Bolts": "Boulons",
	"Nails": "Clous", "Cable": "Câble", "Cord": "Cordon", "Plug": "Fiche", "Lamp": "Lampe", "Bulb": "Ampoule", "Spot": "Spot",
	"Seeds": "Graines", "Bulbs": "Bulbes", "Installation": "Installation", "Repair": "Réparation", "Paper": "Papier",
	"Envelopes": "Enveloppes"}

func frenchName(name string) string {
	adj, noun, _ := strings.Cut(name, " ")
	return french[noun] + " " + french[adj]
}

func (g *gen) products() [][]string {
	rows := [][]string{{"sku", "name", "category", "uom", "price", "cost", "type", "name_fr"}}
	adjectives := []string{"Heavy", "Compact", "Pro", "Eco", "Classic", "Mini", "Max", "Steel", "Smart", "Twin"}
	nouns := map[string][]string{"HW-T": {"Hammer", "Wrench", "Saw", "Drill"}, "HW-F": {"Screws", "Bolts", "Nails"},
		"EL-C": {"Cable", "Cord", "Plug"}, "EL-L": {"Lamp", "Bulb", "Spot"}, "GD-S": {"Seeds", "Bulbs"},
		"SV": {"Installation", "Repair"}, "OF-P": {"Paper", "Envelopes"}}
	cats := []string{"HW-T", "HW-F", "EL-C", "EL-L", "GD-S", "SV", "OF-P"}
	for i := 1; i <= 300; i++ {
		cat := cats[g.r.IntN(len(cats))]
		typ, uom := "stock", uoms[g.r.IntN(len(uoms))]
		if cat == "SV" {
			typ, uom = "service", "Hours"
		}
		price := 2 + g.r.Float64()*400
		name := g.pick(adjectives) + " " + g.pick(nouns[cat])
		rows = append(rows, []string{fmt.Sprintf("SKU-%04d", i), name, cat, uom, deNumber(price), deNumber(price * 0.6), typ, frenchName(name)})
	}
	rows[42][2] = "HW-X"   // a category that does not exist
	rows[77][4] = "12,3,4" // an unreadable price
	return rows
}

// scansIndex attaches a scan to the first invoices (their files are in
// data/scans, written by hand: a PDF, a PNG), and names one file that is
// missing, as exports do.
func scansIndex(invoices [][]string) [][]string {
	return [][]string{{"invoice", "file"}, {invoices[1][0], "INV-2024-0001.pdf"}, {invoices[2][0], "INV-2024-0002.png"},
		{invoices[3][0], "INV-2024-0003.pdf"}}
}

func deNumber(f float64) string { return strings.Replace(fmt.Sprintf("%.2f", f), ".", ",", 1) }

func (g *gen) invoices(customers, products [][]string) ([][]string, [][]string) {
	inv := [][]string{{"invoice_no", "customer", "date", "due", "currency", "total"}}
	lines := [][]string{{"invoice_no", "line_no", "sku", "description", "qty", "unit_price"}}
	for i := 1; i <= 900; i++ {
		no := fmt.Sprintf("INV/2024/%04d", i)
		cust := customers[1+g.r.IntN(len(customers)-1)]
		for cust[1] != "C" || cust[11] != "active" {
			cust = customers[1+g.r.IntN(len(customers)-1)]
		}
		day, month := 1+g.r.IntN(28), 1+g.r.IntN(12)
		total := 0.0
		for l := 1; l <= 1+g.r.IntN(4); l++ {
			p := products[1+g.r.IntN(len(products)-1)]
			qty, price := 1+g.r.IntN(20), 1+g.r.IntN(30000)
			total += float64(qty*price) / 100
			lines = append(lines, []string{no, fmt.Sprint(l * 10), p[0], p[1], fmt.Sprint(qty), deNumber(float64(price) / 100)})
		}
		cur := "EUR"
		if i%50 == 0 {
			cur = "CHF"
		}
		inv = append(inv, []string{no, cust[0], fmt.Sprintf("%02d/%02d/2024", day, month),
			fmt.Sprintf("%02d/%02d/2025", day, month), cur, deNumber(total)})
	}
	inv[13][5] = deNumber(1234.5) // unbalanced: the total disagrees with the lines
	lines[25][2] = "SKU-9999"     // a product that does not exist
	inv[99][2] = "31/02/2024"     // an impossible date
	lines = append(lines, []string{"INV/2024/9999", "10", "SKU-0001", "line of a missing invoice", "1", "1,00"})
	return inv, lines
}
