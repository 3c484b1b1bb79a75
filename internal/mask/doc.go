// Package mask replaces personal data with realistic fakes before it
// reaches a test target. Masking is deterministic and keyed: the same value
// and key always give the same fake (so a customer's email masks the same
// way in every table, and relations and duplicate checks survive), values
// masked with different keys are unrelated, and without the key the fake
// says nothing about the original. Each kind keeps the shape a validator
// expects: emails parse, IBANs pass their mod-97 check, phones keep their
// punctuation and length.
package mask
