-- The audit log's checkpoint after the run's entry: one of the copies kept
-- outside the log that show whether its tail was cut off.
ALTER TABLE runs ADD COLUMN audit_checkpoint TEXT NOT NULL DEFAULT '';
