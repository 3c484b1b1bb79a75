-- What Ferry wrote for each loaded row (record.Written as JSON): a later run
-- compares it with the target's current values to find records someone changed.
ALTER TABLE rows ADD COLUMN written TEXT NOT NULL DEFAULT '';
