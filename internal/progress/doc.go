// Package progress carries what a long command is doing as typed events.
//
// Library packages never print: they call Sink.Emit with an Event (a run
// started, a batch committed, a row quarantined…). The terminal printer, the
// --json line printer, the audit log and the server all consume the same
// stream. A Sink must be safe for concurrent use and must not block for long:
// Emit is called on the loader's worker goroutines.
package progress
