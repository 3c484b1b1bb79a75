-- Each run's own rows: every row as the run last left it. rows holds only
-- the latest state of a row, and a later run of the plan takes the row over
-- (its run id, created flag); run_rows keeps what each run did, so a
-- rollback knows what an earlier run created and updated, and can put a
-- row back as the run before left it.
CREATE TABLE run_rows (
	run_id      TEXT NOT NULL,
	entity      TEXT NOT NULL,
	pass        INTEGER NOT NULL,
	key         TEXT NOT NULL,
	external_id TEXT NOT NULL DEFAULT '',
	source_key  TEXT NOT NULL DEFAULT '',
	fingerprint TEXT NOT NULL DEFAULT '',
	state       TEXT NOT NULL,
	odoo_id     INTEGER NOT NULL DEFAULT 0,
	created     INTEGER NOT NULL DEFAULT 0,
	message     TEXT NOT NULL DEFAULT '',
	attempts    INTEGER NOT NULL DEFAULT 0,
	batch       INTEGER NOT NULL DEFAULT 0,
	written     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (run_id, entity, pass, key)
);
INSERT INTO run_rows (run_id, entity, pass, key, external_id, source_key, fingerprint, state, odoo_id, created, message, attempts, batch, written)
	SELECT run_id, entity, pass, key, external_id, source_key, fingerprint, state, odoo_id, created, message, attempts, batch, written FROM rows;

-- history: run_rows holds every row the run wrote. Runs begun before this
-- migration have it only when no later run of their plan existed: a later
-- run may have taken their rows over, and what they wrote is lost.
ALTER TABLE runs ADD COLUMN history INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET history = 1 WHERE NOT EXISTS (
	SELECT 1 FROM runs later WHERE later.plan = runs.plan AND later.id <> runs.id AND later.started_at >= runs.started_at);
