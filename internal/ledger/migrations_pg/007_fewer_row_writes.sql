-- A row's copy into its run's history (run_rows) is made by the database
-- as the row is written, rather than by a second statement per row: the
-- run's version of every row it wrote, as it now stands, except rows found
-- unchanged (the earlier run's version, which loaded them, stands for
-- them). Putting back an earlier run's rows (a rollback) copies them onto
-- themselves.
CREATE FUNCTION ferry_rows_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO run_rows (run_id, entity, pass, key, external_id, source_key, fingerprint, state, odoo_id, created, message, attempts, batch, written)
	VALUES (NEW.run_id, NEW.entity, NEW.pass, NEW.key, NEW.external_id, NEW.source_key, NEW.fingerprint, NEW.state, NEW.odoo_id, NEW.created, NEW.message, NEW.attempts, NEW.batch, NEW.written)
	ON CONFLICT (run_id, entity, pass, key) DO UPDATE SET external_id = excluded.external_id, source_key = excluded.source_key,
		fingerprint = excluded.fingerprint, state = excluded.state, odoo_id = excluded.odoo_id, created = excluded.created,
		message = excluded.message, attempts = excluded.attempts, batch = excluded.batch, written = excluded.written;
	RETURN NULL;
END
$$;
CREATE TRIGGER rows_history AFTER INSERT OR UPDATE ON rows FOR EACH ROW WHEN (NEW.state <> 'unchanged')
	EXECUTE FUNCTION ferry_rows_history();

-- The pending rows of a batch in flight, as JSON: MarkSent stores them with
-- the batch instead of writing each row, and they are written to rows when
-- the batch is committed (merged with Odoo's answer, one write per row),
-- when another write touches one of them, before a read, and, after a
-- crash, when the ledger is next opened. Empty once written.
ALTER TABLE batches ADD COLUMN pending TEXT NOT NULL DEFAULT '';
