// Package audit keeps the append-only record of what Ferry did: who ran
// which command, on which plan and target, with which input digests and
// results. Every entry carries the SHA-256 of the previous entry (PrevHash)
// and its own hash over a canonical JSON form, so any edit, deletion,
// insertion or reordering breaks the chain and Verify reports where.
//
// Log is the seam every command uses. FileLog is the plain implementation:
// one JSON object per line in <state dir>/audit.jsonl. Entries never hold
// secrets or unmasked personal values: callers put digests, counts and
// external IDs in Details, never record values.
package audit
