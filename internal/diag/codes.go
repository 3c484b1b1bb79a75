package diag

// Code documents one finding code. Every code Ferry emits is declared in
// Codes, so `ferry list codes` and the README table come from one place.
type Code struct {
	Code    string
	Summary string
}

// Codes is the registry of finding codes. Packages add their codes here
// (never reuse or renumber a code).
var Codes = []Code{}
