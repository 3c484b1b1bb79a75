package fastpath

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/ferry-migrate/ferry/internal/verify"
)

// kind is how a field is compared.
type kind int

const (
	scalar kind = iota
	many2one
	many2many
)

// column is one compared field placed in the database: its digest
// expression (the canonical text, in SQL) and its detail expression (the
// value as Odoo's read returns it, canonicalized in Go). The digest may
// hold placeholders the query fills: {x} for the float's scaled value
// (computed once per row) and {m2m} for a many2many's ids.
type column struct {
	f      verify.Field
	kind   kind
	digest string
	detail string
	x      string // the float8 value scaled by 10^digits ({x})
	// many2many: the relation table, its columns, the alias of the
	// owner's table, and the table's estimated row count.
	rel, c1, c2, owner string
	relRows            float64
}

// modelPlan is how to read one model's compared fields: the table, the
// joins of the tables related fields live in, and one column per field.
type modelPlan struct {
	model   string
	table   string
	joins   []string
	cols    []column
	synced  string            // SQL condition: a contact whose parent company Odoo syncs from
	aliases map[string]string // alias + "." + many2one column → alias of the joined table
}

// join returns the alias of table joined on alias.hop, adding the join
// the first time.
func (p *modelPlan) join(alias, hop, table string) string {
	k := alias + "." + hop
	if j, ok := p.aliases[k]; ok {
		return j
	}
	if p.aliases == nil {
		p.aliases = map[string]string{}
	}
	j := fmt.Sprintf("j%d", len(p.joins)+1)
	p.aliases[k] = j
	p.joins = append(p.joins, fmt.Sprintf(`LEFT JOIN "%s" %s ON %s.id = %s."%s"`, table, j, j, alias, hop))
	return j
}

// unsupported is a reason the fast path cannot compare a model exactly.
type unsupported string

func (u unsupported) Error() string { return string(u) }

func reasonf(format string, args ...any) error { return unsupported(fmt.Sprintf(format, args...)) }

var langRe = regexp.MustCompile(`^[a-z]{2,3}(_[A-Za-z0-9]+)?(@[a-z]+)?$`)

// plan places model's fields in the database. An unsupported error
// names the first field (or the model) the fast path cannot reproduce.
func (c *Checker) plan(ctx context.Context, model string, fields []verify.Field) (*modelPlan, error) {
	if c.encoding != "UTF8" {
		return nil, reasonf("the database encoding is %s, not UTF8", c.encoding)
	}
	p := &modelPlan{model: model, table: Table(model)}
	cols, err := c.cat.columns(ctx, p.table)
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, reasonf("no table %s in the database", p.table)
	}
	if cols["id"] == "" {
		return nil, reasonf("table %s has no id column", p.table)
	}
	if model == "res.partner" && cols["parent_id"] != "" && cols["type"] != "" {
		p.synced = `(t."parent_id" IS NOT NULL AND t."type" = 'contact')`
	}
	for _, f := range fields {
		col, err := c.place(ctx, p, "t", model, f, true)
		if err != nil {
			return nil, err
		}
		if p.synced != "" && verify.ParentSynced(model, f.Name) {
			col.digest = "CASE WHEN " + p.synced + " THEN '' ELSE " + col.digest + " END"
		}
		p.cols = append(p.cols, col)
	}
	return p, nil
}

// place finds field f of model in the table aliased alias; follow allows
// one hop through a related field (how _inherits and related fields read).
func (c *Checker) place(ctx context.Context, p *modelPlan, alias, model string, f verify.Field, follow bool) (column, error) {
	col := column{f: f}
	if f.Type == "monetary" && f.Currency != "" {
		// the wanted value's canonical form needs the record's currency
		return col, reasonf("field %s is monetary: Odoo rounds it by each record's currency (%s)", f.Name, f.Currency)
	}
	switch f.Type {
	case "char", "text", "selection", "integer", "float", "monetary", "boolean", "date", "datetime":
	case "many2one":
		col.kind = many2one
	case "many2many":
		col.kind = many2many
	default:
		return col, reasonf("field %s is %s, which has no exact canonical form in SQL", f.Name, f.Type)
	}
	infos, err := c.cat.modelFields(ctx, model)
	if err != nil {
		return col, err
	}
	info, known := infos[f.Name]
	if known && info.ttype != f.Type {
		return col, reasonf("field %s is %s in fields_get but %s in ir_model_fields", f.Name, f.Type, info.ttype)
	}
	if known && info.companyDep {
		return col, reasonf("field %s is company-dependent", f.Name)
	}
	table := Table(model)
	cols, err := c.cat.columns(ctx, table)
	if err != nil {
		return col, err
	}
	if col.kind == many2many {
		return c.placeMany2many(ctx, p, alias, model, f, info, known, follow)
	}
	typ, stored := cols[f.Name]
	if !stored {
		if known && follow && info.related != "" {
			return c.placeRelated(ctx, p, alias, model, f, info.related)
		}
		return col, reasonf("field %s is not a column of %s", f.Name, table)
	}
	return c.scalarColumn(col, alias+`."`+f.Name+`"`, typ, known && info.translate, known)
}

// placeRelated follows a related field one hop: "product_tmpl_id.name"
// reads name from the product_template row product_tmpl_id points at.
func (c *Checker) placeRelated(ctx context.Context, p *modelPlan, alias, model string, f verify.Field, related string) (column, error) {
	hop, target, ok := strings.Cut(related, ".")
	if !ok || strings.Contains(target, ".") {
		return column{f: f}, reasonf("field %s is related through %s, more than one hop", f.Name, related)
	}
	infos, err := c.cat.modelFields(ctx, model)
	if err != nil {
		return column{f: f}, err
	}
	link, ok := infos[hop]
	cols, err := c.cat.columns(ctx, Table(model))
	if err != nil {
		return column{f: f}, err
	}
	if !ok || link.ttype != "many2one" || cols[hop] == "" {
		return column{f: f}, reasonf("field %s is related through %s, which is not a stored many2one", f.Name, hop)
	}
	j := p.join(alias, hop, Table(link.relation))
	tf := f
	tf.Name = target
	col, err := c.place(ctx, p, j, link.relation, tf, false)
	col.f = f
	return col, err
}

func (c *Checker) placeMany2many(ctx context.Context, p *modelPlan, alias, model string, f verify.Field, info fieldInfo, known, follow bool) (column, error) {
	col := column{f: f, kind: many2many}
	rel, c1, c2 := info.relTable, info.column1, info.column2
	if known && rel == "" && follow && info.related != "" {
		return c.placeRelated(ctx, p, alias, model, f, info.related)
	}
	if known && strings.TrimSpace(info.domain) != "" && strings.TrimSpace(info.domain) != "[]" {
		return col, reasonf("field %s has a domain (%s) that Odoo's read applies", f.Name, info.domain)
	}
	if rel == "" {
		if known || f.Relation == "" || Table(f.Relation) == Table(model) {
			return col, reasonf("field %s has no relation table in ir_model_fields", f.Name)
		}
		rel, c1, c2 = defaultRelation(model, f.Relation)
	}
	cols, err := c.cat.columns(ctx, rel)
	if err != nil {
		return col, err
	}
	if !isInt(cols[c1]) || !isInt(cols[c2]) {
		return col, reasonf("field %s: no table %s(%s, %s)", f.Name, rel, c1, c2)
	}
	col.rel, col.c1, col.c2, col.owner = rel, c1, c2, alias
	if col.relRows, err = c.cat.rows(ctx, rel); err != nil {
		return col, err
	}
	col.digest = "{m2m}"
	col.detail = fmt.Sprintf(`ARRAY(SELECT r."%s"::int8 FROM "%s" r WHERE r."%s" = %s.id ORDER BY 1)`, c2, rel, c1, alias)
	return col, nil
}

func isInt(typ string) bool { return typ == "integer" || typ == "bigint" || typ == "smallint" }

// scalarColumn writes the expressions of a scalar or many2one column c of
// SQL data type typ.
func (c *Checker) scalarColumn(col column, ref, typ string, translate, known bool) (column, error) {
	f := col.f
	bad := func() (column, error) {
		return col, reasonf("field %s is %s but its column is %s", f.Name, f.Type, typ)
	}
	switch f.Type {
	case "char", "text", "selection":
		switch {
		case typ == "jsonb" && translate:
			l := quote(c.lang)
			col.detail = fmt.Sprintf("coalesce(%s->>%s, %s->>'en_US')", ref, l, ref)
			if c.lang == "en_US" {
				col.detail = ref + "->>'en_US'"
			}
		case typ == "jsonb" && !known:
			return col, reasonf("field %s: cannot tell a translated field from a company-dependent one without ir_model_fields", f.Name)
		case typ == "character varying" || typ == "text" || typ == "character":
			if translate && c.lang != "en_US" {
				return col, reasonf("field %s is translated outside its column (Odoo 15 or older)", f.Name)
			}
			col.detail = ref + "::text"
		default:
			return bad()
		}
		col.digest = "coalesce(" + col.detail + ", '')"
	case "integer":
		if !isInt(typ) {
			return bad()
		}
		col.detail = ref + "::int8"
		col.digest = "coalesce(" + ref + ", 0)::text"
	case "many2one":
		if !isInt(typ) {
			return bad()
		}
		col.detail = ref + "::int8"
		col.digest = "coalesce(" + ref + "::text, '')"
	case "boolean":
		if typ != "boolean" {
			return bad()
		}
		col.detail = ref
		col.digest = "CASE WHEN " + ref + " THEN 'true' ELSE 'false' END"
	case "float", "monetary":
		if typ != "numeric" && typ != "double precision" && typ != "real" && !isInt(typ) {
			return bad()
		}
		col.detail = ref + "::float8"
		x := "coalesce(" + ref + "::float8, 0)"
		if f.Digits < 0 {
			col.digest = fmt.Sprintf("CASE WHEN NOT abs(%s) <= 1.7976931348623157e308 THEN %s ELSE %s::text END", x, sqlMark, x)
		} else {
			// NULL when x·10^d would overflow (PostgreSQL raises where Go
			// gives an infinity) or x is not finite: marked below.
			col.x = fmt.Sprintf("CASE WHEN abs(%s) < 9007199254740992 THEN %s * 1%s::float8 END", x, x, strings.Repeat("0", f.Digits))
			col.digest = floatDigest(f.Digits)
		}
	case "date":
		if typ != "date" {
			return bad()
		}
		col.detail = "to_char(" + ref + ", 'YYYY-MM-DD')"
		col.digest = "coalesce(" + col.detail + ", '')"
	case "datetime":
		if !strings.HasPrefix(typ, "timestamp") {
			return bad()
		}
		// Odoo reads datetimes to the second (strftime drops the microseconds).
		col.detail = "to_char(" + ref + ", 'YYYY-MM-DD HH24:MI:SS')"
		col.digest = "coalesce(" + col.detail + ", '')"
	}
	return col, nil
}

// sqlMark is what the digest expressions give for a value whose canonical
// form they cannot reproduce (NaN, infinities, floats of 2^48 units of the
// last digit or more, floats just below a tie): it never equals a Go
// token, so the record is compared in detail, in Go.
const sqlMark = `E'\x02'`

// floatDigest reproduces verify's canonical float — Odoo's float_round,
// printed as float_repr prints it — in SQL for digits d ≥ 0, from {x},
// the value times 10^d as a float8 (PostgreSQL's float8 arithmetic is
// IEEE, like Go's and Python's). float_round adds an epsilon of
// 2^(log2|x| − 50) away from zero before rounding half away from zero;
// below 2^48 units that epsilon is under a quarter unit, so it changes the
// result only for a value less than |x|·2^-49 below a tie k + ½. Those are
// marked (SQL has no log2 to compute the epsilon bit for bit as Odoo does);
// every other value rounds as floor(|x| + ½), which is exact there. The
// integer is printed with a decimal point d places from the right and a
// "-" only when it is not zero (float_repr prints no -0, and numeric has
// none).
func floatDigest(d int) string {
	a := "abs({x})"
	r := "floor(" + a + " + 0.5)"
	gap := "(floor(" + a + ") + 0.5 - " + a + ")"
	// CASE, not AND: a·2^-49 would underflow (an error in PostgreSQL) for a subnormal a.
	nearTie := "CASE WHEN " + a + " < 0.25 THEN false ELSE " + gap + " > 0 AND " + gap + " <= " + a + " * 1.7763568394002505e-15::float8 END"
	neg := "CASE WHEN {x} < 0 AND " + r + " > 0 THEN '-' ELSE '' END"
	abs := r + "::int8"
	digits := abs + "::text"
	if d > 0 {
		p := "1" + strings.Repeat("0", d)
		digits = fmt.Sprintf("(%s / %s)::text || '.' || lpad((%s %% %s)::text, %d, '0')", abs, p, abs, p, d)
	}
	return "CASE WHEN NOT coalesce(" + a + " < 281474976710656, false) OR (" + nearTie + ") THEN " + sqlMark + " ELSE " + neg + " || " + digits + " END"
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// from is the FROM clause shared by the digest and detail queries: the
// expected external IDs ($1) with a per-row number ($2), their
// ir_model_data rows of the model ($3), the records and the joins.
func (p *modelPlan) from() string {
	var b strings.Builder
	b.WriteString(`FROM unnest($1::text[], $2::int4[]) AS e(x, n)
LEFT JOIN ir_model_data d ON d.module = split_part(e.x, '.', 1) AND d.name = substr(e.x, strpos(e.x, '.') + 1) AND d.model = $3
LEFT JOIN "` + p.table + `" t ON t.id = d.res_id`)
	for _, j := range p.joins {
		b.WriteString("\n" + j)
	}
	return b.String()
}

// digestSQL sums the 64-bit record digests per bucket ($2 numbers the
// bucket of each external ID) for n expected records: when they are many
// against a relation table's rows, its ids are aggregated in one pass
// rather than looked up per record.
func (p *modelPlan) digestSQL(n int) string { return p.digestQuery(n, false) }

// recordSQL returns each record's digest ($2 numbers the records).
func (p *modelPlan) recordSQL(n int) string { return p.digestQuery(n, true) }

func (p *modelPlan) digestQuery(n int, perRecord bool) string {
	var vals, tok, floats, joins strings.Builder
	tok.WriteString(`octet_length(e.x) || ':' || e.x || octet_length(v.id) || ':' || v.id`)
	vals.WriteString(`coalesce(t.id::text, '') AS id`)
	for i, c := range p.cols {
		expr := c.digest
		if c.x != "" {
			if floats.Len() > 0 {
				floats.WriteString(", ")
			}
			fmt.Fprintf(&floats, "%s AS x%d", c.x, i)
			expr = strings.ReplaceAll(expr, "{x}", fmt.Sprintf("f.x%d", i))
		}
		if c.kind == many2many {
			m2m := fmt.Sprintf(`coalesce((SELECT string_agg(r."%s"::text, ',' ORDER BY r."%s") FROM "%s" r WHERE r."%s" = %s.id), '')`,
				c.c2, c.c2, c.rel, c.c1, c.owner)
			if float64(n) > c.relRows/8 {
				fmt.Fprintf(&joins, "\nLEFT JOIN (SELECT r.\"%s\" AS k, string_agg(r.\"%s\"::text, ',' ORDER BY r.\"%s\") AS s FROM \"%s\" r GROUP BY 1) m%d ON m%d.k = %s.id",
					c.c1, c.c2, c.c2, c.rel, i, i, c.owner)
				m2m = fmt.Sprintf("coalesce(m%d.s, '')", i)
			}
			expr = strings.ReplaceAll(expr, "{m2m}", m2m)
		}
		fmt.Fprintf(&vals, ",\n  %s AS c%d", expr, i)
		fmt.Fprintf(&tok, " || octet_length(v.c%d) || ':' || v.c%d", i, i)
	}
	from := p.from() + joins.String()
	if floats.Len() > 0 {
		from += "\nCROSS JOIN LATERAL (SELECT " + floats.String() + " OFFSET 0) f"
	}
	digest := "('x' || substr(md5(" + tok.String() + "), 1, 16))::bit(64)::int8"
	// OFFSET 0 keeps the values computed once per row (no pull-up).
	from += "\nCROSS JOIN LATERAL (SELECT " + vals.String() + " OFFSET 0) v"
	if perRecord {
		return "SELECT e.n, " + digest + "\n" + from
	}
	return "SELECT e.n, count(*), sum(" + digest + ")::text\n" + from + "\nGROUP BY e.n"
}

// detailSQL reads the compared fields of each external ID ($2 is its
// index) as Odoo's read returns them.
func (p *modelPlan) detailSQL() string {
	var b strings.Builder
	b.WriteString("SELECT e.n, t.id::int8, ")
	if p.synced != "" {
		b.WriteString("coalesce(" + p.synced + ", false)")
	} else {
		b.WriteString("false")
	}
	for _, c := range p.cols {
		b.WriteString(",\n  " + c.detail)
	}
	return b.String() + "\n" + p.from()
}
