package plan

import (
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Accounting declares how a migration brings accounting over at a cut-off
// date, and what the source says the books hold there: open amounts per
// partner and the trial balance. `ferry verify` compares Odoo's journal
// items dated up to the cut-off with them, to the cent.
type Accounting struct {
	// Strategy is full_history (invoices, payments and their
	// reconciliation, with their own dates) or opening (one open item per
	// unpaid invoice with its residual, dated at the cut-off, and an
	// opening entry for the other accounts' balances).
	Strategy string `yaml:"strategy" json:"strategy" jsonschema:"enum=full_history,enum=opening"`
	// Cutoff is the date the balances are taken at (YYYY-MM-DD).
	Cutoff string `yaml:"cutoff" json:"cutoff" jsonschema:"pattern=^[0-9]{4}-[0-9]{2}-[0-9]{2}$"`
	// Receivable and Payable are the source's open amounts per partner
	// at the cut-off (what customers owe, what is owed to suppliers:
	// positive amounts).
	Receivable *OpenAmounts `yaml:"receivable,omitempty" json:"receivable,omitempty"`
	Payable    *OpenAmounts `yaml:"payable,omitempty" json:"payable,omitempty"`
	// TrialBalance is the source's balance per account at the cut-off.
	TrialBalance *TrialBalance `yaml:"trial_balance,omitempty" json:"trial_balance,omitempty"`
	// Tolerance is the difference allowed per group (default 0: to the
	// cent, as amounts are rounded to cents).
	Tolerance float64 `yaml:"tolerance,omitempty" json:"tolerance,omitempty" jsonschema:"minimum=0"`
}

// OpenAmounts selects the source rows of open amounts: a partner column
// holding the partner's key in the Partners entity, and an amount column.
type OpenAmounts struct {
	From     source.Select `yaml:"from" json:"from"`
	Partner  string        `yaml:"partner" json:"partner" jsonschema:"minLength=1"`
	Partners string        `yaml:"partners" json:"partners" jsonschema:"minLength=1"`
	Amount   string        `yaml:"amount" json:"amount" jsonschema:"minLength=1"`
	Locale   string        `yaml:"locale,omitempty" json:"locale,omitempty"`
	// Where keeps the rows for which this expression is true (an export
	// listing customers' and suppliers' items together).
	Where string `yaml:"where,omitempty" json:"where,omitempty"`
}

// TrialBalance selects the source rows of the trial balance: an account
// code column and a balance column (debit − credit).
type TrialBalance struct {
	From    source.Select `yaml:"from" json:"from"`
	Account string        `yaml:"account" json:"account" jsonschema:"minLength=1"`
	Balance string        `yaml:"balance" json:"balance" jsonschema:"minLength=1"`
	Locale  string        `yaml:"locale,omitempty" json:"locale,omitempty"`
}

// AccountingControls are the control totals the accounting block implies:
// receivables and payables per partner, and the trial balance per account
// code, on the posted journal items dated up to the cut-off.
func (p *Plan) AccountingControls() []Control {
	a := p.Accounting
	if a == nil {
		return nil
	}
	upTo := []any{[]any{"parent_state", "=", "posted"}, []any{"date", "<=", a.Cutoff}}
	partnerSide := func(kind string, o *OpenAmounts, negate bool) Control {
		dom := append([]any{[]any{"account_type", "=", kind}, []any{"partner_id", "!=", false}}, upTo...)
		return Control{
			Name:      fmt.Sprintf("accounting: %s per partner at %s (%s)", map[bool]string{false: "receivables", true: "payables"}[negate], a.Cutoff, a.Strategy),
			Source:    ControlSource{From: o.From, GroupBy: o.Partner, Sum: o.Amount, Locale: o.Locale, Ref: o.Partners, Where: o.Where},
			Target:    ControlTarget{Model: "account.move.line", Domain: dom, GroupBy: "partner_id", Sum: "balance", Negate: negate},
			Tolerance: a.Tolerance,
		}
	}
	var out []Control
	if a.Receivable != nil {
		out = append(out, partnerSide("asset_receivable", a.Receivable, false))
	}
	if a.Payable != nil {
		out = append(out, partnerSide("liability_payable", a.Payable, true))
	}
	if tb := a.TrialBalance; tb != nil {
		out = append(out, Control{
			Name:      fmt.Sprintf("accounting: trial balance per account at %s (%s)", a.Cutoff, a.Strategy),
			Source:    ControlSource{From: tb.From, GroupBy: tb.Account, Sum: tb.Balance, Locale: tb.Locale},
			Target:    ControlTarget{Model: "account.move.line", Domain: upTo, GroupBy: "account_id", GroupKey: "code", Sum: "balance"},
			Tolerance: a.Tolerance,
		})
	}
	return out
}

// accounting checks the block's date and references.
func (c *checker) accounting(p *Plan) {
	a := p.Accounting
	if a == nil {
		return
	}
	at := []string{"accounting"}
	if _, err := time.Parse(time.DateOnly, a.Cutoff); err != nil {
		c.add("CFG101", append(at, "cutoff"), fmt.Sprintf("cutoff %q is not a date", a.Cutoff), "write the date as YYYY-MM-DD")
	}
	if a.Receivable == nil && a.Payable == nil && a.TrialBalance == nil {
		c.add("CFG101", at, "accounting declares nothing to compare", "add receivable:, payable: or trial_balance: with the source's figures at the cut-off")
	}
	for i, o := range []*OpenAmounts{a.Receivable, a.Payable} {
		name := []string{"receivable", "payable"}[i]
		if o == nil {
			continue
		}
		c.sourceRef(p, o.From.Source, append(at, name, "from", "source"))
		if p.Entity(o.Partners) == nil {
			c.add("CFG103", append(at, name, "partners"), fmt.Sprintf("unknown entity %q", o.Partners), "name the entity whose keys the partner column holds")
		}
	}
	if a.TrialBalance != nil {
		c.sourceRef(p, a.TrialBalance.From.Source, append(at, "trial_balance", "from", "source"))
	}
}

// controls checks that each declared control total sums one thing on the
// source, an entity or a selection, and the references it makes.
func (c *checker) controls(p *Plan) {
	const hint = "give entity: to sum the rows of a plan entity that are meant to arrive, or from: to sum every row of a selection"
	for i, ct := range p.Controls {
		at := []string{"controls", strconv.Itoa(i), "source"}
		src := ct.Source
		hasFrom := !reflect.ValueOf(src.From).IsZero()
		switch {
		case src.Entity == "" && !hasFrom:
			c.add("CFG101", at, fmt.Sprintf("control %q: source: names neither entity: nor from:", ct.Name), hint)
		case src.Entity != "" && hasFrom:
			c.add("CFG101", append(at, "from"), fmt.Sprintf("control %q: source: names both entity: and from:", ct.Name), "keep one: "+hint)
		}
		if src.Entity != "" && p.Entity(src.Entity) == nil {
			c.add("CFG103", append(at, "entity"), fmt.Sprintf("unknown entity %q", src.Entity), "")
		}
		if hasFrom {
			c.sourceRef(p, src.From.Source, append(at, "from", "source"))
		}
		if src.Ref != "" && p.Entity(src.Ref) == nil {
			c.add("CFG103", append(at, "ref"), fmt.Sprintf("unknown entity %q", src.Ref), "")
		}
	}
}
