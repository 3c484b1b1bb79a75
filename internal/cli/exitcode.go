package cli

import (
	"context"
	"errors"
)

// Exit codes (STYLE.md §6; the README lists them too).
const (
	ExitOK          = 0
	ExitInternal    = 1
	ExitUsage       = 2
	ExitFindings    = 3
	ExitPartial     = 4
	ExitIntegrity   = 5
	ExitDirty       = 6
	ExitDifferences = 7
	ExitInterrupted = 130
)

// ExitError carries an exit code chosen by a command together with the
// error to print. Packages signal categories through the interfaces below;
// commands wrap with Exit when they decide the code themselves.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Exit wraps err with an exit code.
func Exit(code int, err error) error { return &ExitError{Code: code, Err: err} }

// usageError marks errors in flags, arguments or the plan file.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// Usage marks err as a usage or configuration error (exit 2).
func Usage(err error) error { return usageError{err} }

// exitCoder lets a package error choose its exit code without importing cli
// (an integrity failure returns 5, a dirty ledger 6).
type exitCoder interface{ ExitCode() int }

// exitCode maps an error to the process exit code. This switch is the only
// place that decides it.
func exitCode(err error) int {
	var ee *ExitError
	var ec exitCoder
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.Code
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ec):
		return ec.ExitCode()
	}
	return ExitInternal
}
