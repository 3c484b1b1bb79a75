// Package cli is Ferry's command line: one file per command (cmd_<verb>.go),
// each with an options struct, AddFlags and a run function. Main builds the
// command tree, runs it and maps the returned error to a documented exit
// code in one place (exitcode.go). Commands print; the packages they call
// return errors and emit progress events.
package cli
