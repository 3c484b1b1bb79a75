-- What a step found before it first wrote (JSON), for rollback to write
-- back: a translation step keeps the record's translations as they were
-- before the run wrote them (TranslationImage). The first image a run
-- records for a step is kept: a resumed run would read its own values.
ALTER TABLE steps ADD COLUMN image TEXT NOT NULL DEFAULT '';
