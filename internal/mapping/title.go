package mapping

import (
	"bytes"
	"sync"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/transform"
)

// titler is a title caser with the buffers it transforms into. A Caser
// keeps state between calls, so each goroutine takes its own from
// titlers; Caser.String would allocate two buffers per value instead
// (title() was 8 % of validate's allocated bytes).
type titler struct {
	c        cases.Caser
	src, dst []byte
}

var titlers = sync.Pool{New: func() any { return &titler{c: cases.Title(language.Und)} }}

// title returns cases.Title(language.Und).String(s): the same transformer
// over the whole value at once, into a buffer that is kept, and s itself
// when nothing changes.
func title(s string) string {
	if s == "" {
		return s
	}
	t := titlers.Get().(*titler)
	defer titlers.Put(t)
	t.src = append(t.src[:0], s...)
	if cap(t.dst) < len(s)+8 {
		t.dst = make([]byte, 2*len(s)+8)
	}
	for {
		t.c.Reset()
		nDst, nSrc, err := t.c.Transform(t.dst[:cap(t.dst)], t.src, true)
		switch {
		case err == nil && nSrc == len(t.src):
			if bytes.Equal(t.dst[:nDst], t.src) {
				return s
			}
			return string(t.dst[:nDst])
		case err == transform.ErrShortDst:
			t.dst = make([]byte, 2*cap(t.dst))
		default:
			t.c.Reset()
			return t.c.String(s)
		}
	}
}

// titleASCII is title(strings.ToLower(s)) for an s of ASCII characters
// (ok is false for any other s), in one pass: the caser's word rules
// restricted to ASCII. A letter is cased: the first of a word is upper-
// cased, the others lower-cased. Digits and _ continue a word. An
// apostrophe, a full stop or a colon continues it too, unless it follows
// another of the three. Any other character ends the word. The result is
// s itself when nothing changes. TestTitleASCIIMatchesCaser compares it
// with the caser on every string of up to three ASCII characters.
func titleASCII(s string) (string, bool) {
	var stack [64]byte
	b := stack[:0]
	if len(s) > len(stack) {
		b = make([]byte, 0, len(s))
	}
	inWord, wasMid := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return "", false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		mid := c == '\'' || c == '.' || c == ':'
		if wasMid && mid {
			inWord = false
		}
		switch {
		case 'a' <= c && c <= 'z':
			if !inWord {
				c -= 'a' - 'A'
				inWord = true
			}
		case '0' <= c && c <= '9', c == '_', mid:
		default:
			inWord = false
		}
		wasMid = mid
		b = append(b, c)
	}
	if string(b) == s {
		return s, true
	}
	return string(b), true
}

// vatClean reports whether s holds only A–Z and 0–9 (NormalizeVAT would
// return it unchanged).
func vatClean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
