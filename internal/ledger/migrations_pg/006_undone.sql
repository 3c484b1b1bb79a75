-- What a rollback of a run has already undone, action by action: a
-- rollback that stopped at a refusal is run again, and what it did is
-- neither listed by the dry run nor done twice. kind is the action's kind
-- (delete, restore, unarchive, unreconcile); odoo_id is 0 for a record of
-- a lost answer the rollback did not find.
CREATE TABLE undone (
	run_id      TEXT NOT NULL,
	kind        TEXT NOT NULL,
	model       TEXT NOT NULL,
	odoo_id     BIGINT NOT NULL,
	external_id TEXT NOT NULL DEFAULT '',
	at          TEXT NOT NULL,
	PRIMARY KEY (run_id, kind, model, odoo_id, external_id)
);
