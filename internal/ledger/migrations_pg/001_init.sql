CREATE TABLE runs (
	id          TEXT PRIMARY KEY,
	plan        TEXT NOT NULL,
	plan_digest TEXT NOT NULL,
	inputs      TEXT NOT NULL DEFAULT '{}',
	started_at  TEXT NOT NULL,
	finished_at TEXT,
	status      TEXT NOT NULL
);
CREATE INDEX runs_plan ON runs (plan, started_at);

CREATE TABLE rows (
	entity      TEXT NOT NULL,
	pass        INTEGER NOT NULL,
	key         TEXT NOT NULL,
	external_id TEXT NOT NULL DEFAULT '',
	source_key  TEXT NOT NULL DEFAULT '',
	fingerprint TEXT NOT NULL DEFAULT '',
	state       TEXT NOT NULL,
	odoo_id     BIGINT NOT NULL DEFAULT 0,
	created     BOOLEAN NOT NULL DEFAULT false,
	message     TEXT NOT NULL DEFAULT '',
	attempts    INTEGER NOT NULL DEFAULT 0,
	run_id      TEXT NOT NULL,
	batch       BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (entity, pass, key)
);
CREATE INDEX rows_run ON rows (run_id, entity);

CREATE TABLE batches (
	run_id TEXT NOT NULL,
	entity TEXT NOT NULL,
	pass   INTEGER NOT NULL,
	seq    BIGINT NOT NULL,
	rows   INTEGER NOT NULL,
	state  TEXT NOT NULL,
	PRIMARY KEY (run_id, entity, pass, seq)
);

CREATE TABLE images (
	run_id      TEXT NOT NULL,
	model       TEXT NOT NULL,
	odoo_id     BIGINT NOT NULL,
	external_id TEXT NOT NULL DEFAULT '',
	fields      TEXT NOT NULL,
	PRIMARY KEY (run_id, model, odoo_id)
);

CREATE TABLE steps (
	run_id      TEXT NOT NULL,
	entity      TEXT NOT NULL,
	external_id TEXT NOT NULL,
	method      TEXT NOT NULL,
	odoo_id     BIGINT NOT NULL,
	before      TEXT NOT NULL DEFAULT '',
	state       TEXT NOT NULL,
	message     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (run_id, entity, external_id, method)
);
