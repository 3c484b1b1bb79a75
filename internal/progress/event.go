package progress

import (
	"sync"
	"time"
)

// Event is one thing that happened. Kind is a stable snake_case name used as
// the "event" field of the JSON form.
type Event interface {
	Kind() string
}

// Sink consumes events.
type Sink interface {
	Emit(e Event)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(Event)

// Emit calls f(e).
func (f SinkFunc) Emit(e Event) { f(e) }

// Discard drops every event.
var Discard Sink = SinkFunc(func(Event) {})

// Multi sends each event to every sink in order.
func Multi(sinks ...Sink) Sink {
	return SinkFunc(func(e Event) {
		for _, s := range sinks {
			s.Emit(e)
		}
	})
}

// Recorder keeps every event; tests use it.
type Recorder struct {
	mu     sync.Mutex
	events []Event
}

// Emit records e.
func (r *Recorder) Emit(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// Events returns a copy of the recorded events.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// Message is free text for the user: a warning such as "Odoo has announced
// the removal of /jsonrpc", or a notice. Level is "info" or "warning".
type Message struct {
	Level string `json:"level"`
	Text  string `json:"text"`
}

// Kind implements Event.
func (Message) Kind() string { return "message" }

// RunStarted opens a command's run.
type RunStarted struct {
	RunID   string    `json:"run_id"`
	Command string    `json:"command"`
	Plan    string    `json:"plan,omitempty"`
	Target  string    `json:"target,omitempty"`
	At      time.Time `json:"at"`
}

// Kind implements Event.
func (RunStarted) Kind() string { return "run_started" }

// EntityStarted says an entity's rows begin to flow. Total is -1 when unknown.
type EntityStarted struct {
	Entity string `json:"entity"`
	Model  string `json:"model"`
	Total  int64  `json:"total"`
}

// Kind implements Event.
func (EntityStarted) Kind() string { return "entity_started" }

// BatchStarted is emitted before a batch is sent.
type BatchStarted struct {
	Entity string `json:"entity"`
	Batch  int64  `json:"batch"`
	Rows   int    `json:"rows"`
	Try    int    `json:"try"`
}

// Kind implements Event.
func (BatchStarted) Kind() string { return "batch_started" }

// BatchCommitted is emitted after Odoo answered and the ledger recorded it.
type BatchCommitted struct {
	Entity      string        `json:"entity"`
	Batch       int64         `json:"batch"`
	Loaded      int           `json:"loaded"`
	Quarantined int           `json:"quarantined"`
	Took        time.Duration `json:"took_ns"`
}

// Kind implements Event.
func (BatchCommitted) Kind() string { return "batch_committed" }

// RowDone counts rows that reached a terminal state without a batch (for
// example unchanged or skipped rows), so progress bars advance.
type RowDone struct {
	Entity string `json:"entity"`
	State  string `json:"state"`
	N      int    `json:"n"`
}

// Kind implements Event.
func (RowDone) Kind() string { return "row_done" }

// RecordRejected is a row quarantined with a finding code and message.
type RecordRejected struct {
	Entity     string `json:"entity"`
	Key        string `json:"key"`
	ExternalID string `json:"xmlid,omitempty"`
	Code       string `json:"code"`
	Message    string `json:"message"`
}

// Kind implements Event.
func (RecordRejected) Kind() string { return "record_rejected" }

// Retry says a call or batch is retried after a transient failure.
type Retry struct {
	Entity string        `json:"entity,omitempty"`
	Try    int           `json:"try"`
	Wait   time.Duration `json:"wait_ns"`
	Reason string        `json:"reason"`
}

// Kind implements Event.
func (Retry) Kind() string { return "retry" }

// Counts is the per-entity identity read = loaded + unchanged + quarantined + skipped.
type Counts struct {
	Read        int64 `json:"read"`
	Loaded      int64 `json:"loaded"`
	Unchanged   int64 `json:"unchanged"`
	Quarantined int64 `json:"quarantined"`
	Skipped     int64 `json:"skipped"`
}

// Holds reports whether the identity holds.
func (c Counts) Holds() bool { return c.Read == c.Loaded+c.Unchanged+c.Quarantined+c.Skipped }

// EntityFinished closes an entity with its counts.
type EntityFinished struct {
	Entity string        `json:"entity"`
	Counts Counts        `json:"counts"`
	Took   time.Duration `json:"took_ns"`
}

// Kind implements Event.
func (EntityFinished) Kind() string { return "entity_finished" }

// RunFinished closes a run. Result is "ok", "partial", "failed" or "interrupted".
type RunFinished struct {
	RunID  string        `json:"run_id"`
	Result string        `json:"result"`
	Took   time.Duration `json:"took_ns"`
}

// Kind implements Event.
func (RunFinished) Kind() string { return "run_finished" }
