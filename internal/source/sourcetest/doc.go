// Package sourcetest is the conformance suite every source runs. Run
// checks that the schema names the columns records carry, that Scan
// delivers every row exactly once with the expected values in a stable
// order (no row lost, none repeated), that resuming from any delivered
// position gives exactly the rows after it, that a cancelled context stops
// a scan with its error, that an error returned by the callback stops the
// scan and comes back unchanged, and that Close may be called twice.
package sourcetest
