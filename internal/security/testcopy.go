package security

import (
	"context"
	"fmt"

	"github.com/ferry-migrate/ferry/internal/odoo"
)

// smtpNote is said with every mail check: the API cannot see it.
const smtpNote = "an SMTP server set in Odoo's configuration file (smtp_server) is invisible to the API: check it on the server"

func (a *targetAudit) neutralized(ctx context.Context) Finding {
	const id, check = "SEC109", "test copy neutralized"
	recs, err := a.Client.SearchRead(ctx, "ir.config_parameter", odoo.Domain{[]any{"key", "=", "database.is_neutralized"}}, []string{"value"}, odoo.Page{})
	if err != nil {
		return unreadable(id, check, needSettings, err)
	}
	if len(recs) == 1 && fmt.Sprint(recs[0]["value"]) == "True" {
		return pass(id, check, "database.is_neutralized is True")
	}
	return fail(id, check, High, "database.is_neutralized is not set: this copy was not neutralized (mail servers, crons, payment providers and webhooks stay live)",
		"neutralize the copy: odoo-bin neutralize -d <db> (or restore it through the database manager as a copy)")
}

func (a *targetAudit) mailServers(ctx context.Context) Finding {
	const id, check = "SEC110", "test copy sends no mail"
	recs, err := a.Client.SearchRead(ctx, "ir.mail_server", odoo.Domain{[]any{"active", "=", true}}, []string{"name", "smtp_host"}, odoo.Page{Order: "id"})
	if err != nil {
		return unreadable(id, check, needSettings, err, smtpNote)
	}
	if len(recs) == 0 {
		return pass(id, check, "no active outgoing mail server record; "+smtpNote)
	}
	hosts := make([]string, len(recs))
	for i, r := range recs {
		hosts[i] = fmt.Sprint(r["smtp_host"])
	}
	return fail(id, check, High, fmt.Sprintf("%d active outgoing mail server(s) (%s): the copy can mail real customers; %s", len(recs), listed(hosts), smtpNote),
		"archive the mail servers of the test copy (or neutralize it)")
}

func (a *targetAudit) crons(ctx context.Context) Finding {
	const id, check = "SEC111", "test copy runs no scheduled actions"
	recs, err := a.Client.SearchRead(ctx, "ir.cron", odoo.Domain{[]any{"active", "=", true}}, []string{"name"}, odoo.Page{Order: "id"})
	if err != nil {
		return unreadable(id, check, needSettings, err)
	}
	if len(recs) == 0 {
		return pass(id, check, "no active scheduled action")
	}
	names := make([]string, len(recs))
	for i, r := range recs {
		names[i], _ = r["name"].(string)
	}
	return fail(id, check, Medium, fmt.Sprintf("%d active scheduled action(s) (%s)", len(recs), listed(names)),
		"archive the scheduled actions of the test copy (or neutralize it), or run it with --max-cron-threads 0")
}
