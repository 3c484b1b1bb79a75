package mapping

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// MaxKeyBytes is the longest encoded key kept readable; longer keys are hashed.
const MaxKeyBytes = 64

// IDs builds external IDs for one plan.
type IDs struct {
	Namespace string
	secret    []byte
}

// NewIDs returns an ID builder; keySecret keys the hash of long and
// personal keys (zero = derived from the namespace).
func NewIDs(namespace string, keySecret secret.String) *IDs {
	k := keySecret.Reveal()
	if k == "" {
		k = "ferry-key:" + namespace
	}
	return &IDs{Namespace: namespace, secret: []byte(k)}
}

// EncodeKey turns key values into the name part of an external ID, one to
// one (two different keys never share an external ID): letters, digits,
// "_" and "." stay, "-" becomes "--", any other byte "-XX" (hex), and the
// parts of a composite key are joined by "-_", which no encoded part
// holds. hashed reports whether the result is a keyed hash (personal, or
// longer than MaxKeyBytes).
func (ids *IDs) EncodeKey(parts []string, personal bool) (enc string, hashed bool) {
	if !personal && len(parts) == 1 && len(parts[0]) <= MaxKeyBytes && plainPart(parts[0]) {
		return parts[0], false // encodes to itself
	}
	raw := strings.Join(parts, "\x1f")
	if personal {
		return ids.hash(raw), true
	}
	var b strings.Builder
	b.Grow(len(raw) + len(parts))
	for i, p := range parts {
		if i > 0 {
			b.WriteString(partSeparator)
		}
		encodePart(&b, p)
	}
	if b.Len() > MaxKeyBytes {
		return ids.hash(raw), true
	}
	return b.String(), false
}

// partSeparator joins the parts of a composite key: an encoded part has
// a "-" only before another "-" or two hex digits, never before "_".
const partSeparator = "-_"

// plainPart reports whether encodePart writes s as it is.
func plainPart(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func encodePart(b *strings.Builder, s string) {
	const hexd = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' {
			b.WriteByte(c)
			continue
		}
		if c == '-' {
			b.WriteString("--")
			continue
		}
		b.WriteByte('-')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
}

func (ids *IDs) hash(raw string) string {
	m := hmac.New(sha256.New, ids.secret)
	m.Write([]byte(raw))
	return "h" + hex.EncodeToString(m.Sum(nil)[:16])
}

// ExternalID is <namespace>.<entity>_<encoded key>.
func (ids *IDs) ExternalID(entity, encodedKey string) string {
	return ids.Namespace + "." + entity + "_" + encodedKey
}

// LineID is the external ID of a one2many line: the parent's ID, "_" and
// the encoded line key.
func (ids *IDs) LineID(parentID, encodedLineKey string) string {
	return parentID + "_" + encodedLineKey
}
