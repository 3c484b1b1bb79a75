package pipeline

// ReadsMasked is readsMasked, for tests.
var ReadsMasked = readsMasked
