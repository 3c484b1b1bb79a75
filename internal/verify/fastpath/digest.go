package fastpath

import (
	"crypto/md5" //nolint:gosec // a checksum PostgreSQL computes too, not a defence against an adversary
	"encoding/binary"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/record"
	"github.com/ferry-migrate/ferry/internal/verify"
)

// token is the byte string a record's digest is taken of, the same in Go
// and in SQL: each part length-prefixed ("<bytes>:<text>"): the external
// ID, the record's database id, then each field's canonical value.
func token(buf []byte, xmlid string, id int64, want []string) []byte {
	buf = appendPart(buf[:0], xmlid)
	// An id of 0 (none in the ledger) never equals a record's: such a
	// record is always compared in detail.
	buf = appendPart(buf, strconv.FormatInt(id, 10))
	for _, w := range want {
		buf = appendPart(buf, w)
	}
	return buf
}

func appendPart(buf []byte, s string) []byte {
	buf = strconv.AppendInt(buf, int64(len(s)), 10)
	buf = append(buf, ':')
	return append(buf, s...)
}

// digest is the record digest: the first 8 bytes of the token's MD5 as a
// signed integer, as SQL's ('x' || substr(md5(tok), 1, 16))::bit(64)::int8.
func digest(tok []byte) int64 {
	sum := md5.Sum(tok) //nolint:gosec // see the import
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// sum128 adds signed 64-bit digests without overflow (PostgreSQL sums
// int8 into numeric): a two's complement 128-bit integer.
type sum128 struct {
	hi int64
	lo uint64
}

func (s *sum128) add(d int64) {
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, uint64(d), 0)
	ext := int64(0)
	if d < 0 {
		ext = -1
	}
	s.hi += ext + int64(carry)
}

// String renders the sum in decimal, as PostgreSQL prints a numeric.
func (s sum128) String() string {
	v := new(big.Int).SetInt64(s.hi)
	v.Lsh(v, 64)
	v.Add(v, new(big.Int).SetUint64(s.lo))
	return v.String()
}

// refTokens renders references as sorted database ids joined by commas.
// An external ID resolves only when ids names the id back to it (verify
// compares by external ID); one that does not stays "xmlid:<id>".
func refTokens(model string, refs []record.Ref, ids verify.IDs) string {
	var nums []int64
	var keys []string
	for _, r := range refs {
		switch {
		case r.ExternalID != "":
			if ids != nil {
				if id, ok := ids.ID(model, r.ExternalID); ok {
					nums = append(nums, id)
					continue
				}
			}
			keys = append(keys, "xmlid:"+r.ExternalID)
		case r.ID != 0:
			nums = append(nums, r.ID)
		}
	}
	return joinIDs(nums, keys)
}

func joinIDs(nums []int64, keys []string) string {
	slices.Sort(nums)
	slices.Sort(keys)
	parts := make([]string, 0, len(nums)+len(keys))
	for _, n := range nums {
		parts = append(parts, strconv.FormatInt(n, 10))
	}
	return strings.Join(append(parts, keys...), ",")
}

// display renders a relation token for a report: each id as verify names
// it ("xmlid:<id>" when the plan wrote it, else "id:<n>"), sorted.
func display(model, tok string, names verify.Resolver) string {
	if tok == wantEmpty || tok == "" {
		return ""
	}
	parts := strings.Split(tok, ",")
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			continue
		}
		parts[i] = "id:" + p
		if names != nil {
			if x := names.XMLID(model, n); x != "" {
				parts[i] = "xmlid:" + x
			}
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}
