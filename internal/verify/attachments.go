package verify

import (
	"context"
	"crypto/sha1" //nolint:gosec // Odoo's ir.attachment checksum is SHA-1; it names content, it guards nothing
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/record"
)

// Attachments and references by database id.
//
// A file (*record.File, from file()) is compared by its SHA-1: with Odoo's
// checksum of an ir.attachment's datas (Odoo computes it from the bytes it
// stored), so the content is never read back; a file in another model's
// binary field is read and hashed. An empty file matches an attachment
// without content (no checksum, or the SHA-1 of nothing). A reference by
// database id (record.IDRef, ref() into res_id) compares by external ID,
// as a many2one does. A wanted mimetype application/octet-stream matches
// whatever Odoo guessed from the bytes.

// unknownType is the mimetype mimetype() gives an unknown extension: Odoo
// stores its own guess instead, which verify accepts.
const unknownType = "application/octet-stream"

// checksumType marks a field compared with Odoo's checksum.
const checksumType = "checksum"

// emptySHA1 is the SHA-1 of no bytes: Odoo's checksum of an attachment
// whose content was emptied.
const emptySHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"

// readName is the field to read from Odoo to compare the wanted value of
// field name: the checksum for an attachment's content.
func readName(model, name string, want any) string {
	if _, ok := want.(*record.File); ok && model == "ir.attachment" && (name == "datas" || name == "raw") {
		return "checksum"
	}
	return name
}

// readField is the field definition compareField uses for a field read
// under another name.
func readField(f Field, name, gotName string) Field {
	if gotName == "checksum" && name != "checksum" {
		return Field{Name: name, Type: checksumType, Digits: -1}
	}
	return f
}

// compareAttachment compares a file or an IDRef; ok is false for any
// other wanted value.
func compareAttachment(f Field, want, got any, r Resolver) (w, g string, equal, ok bool) {
	switch x := want.(type) {
	case *record.File:
		if x != nil && x.Size > 0 {
			w = "sha1:" + x.SHA1
		}
		g = gotDigest(f, got)
		return w, g, w == g, true
	case record.IDRef:
		wants := []string{"xmlid:" + x.ExternalID}
		w, g = wants[0], strings.Join(gotKeys(x.Model, gotIDs(got), wants, r), ",")
		return w, g, w == g, true
	case string:
		if f.Name == "mimetype" && x == unknownType { // Odoo replaces it with its own guess
			return x, x, true, true
		}
	}
	return "", "", false, false
}

// gotDigest renders what Odoo holds for a file: its checksum, or the SHA-1
// of a binary field's decoded value; "" for no content.
func gotDigest(f Field, got any) string {
	s, _ := got.(string)
	if f.Type != checksumType {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "undecodable content"
		}
		if len(b) == 0 {
			return ""
		}
		sum := sha1.Sum(b) //nolint:gosec // see the import
		s = hex.EncodeToString(sum[:])
	}
	if s == "" || s == emptySHA1 {
		return ""
	}
	return "sha1:" + s
}

// withoutFileBytes returns row with its files' bytes dropped (the bytes
// of a BLOB column): verify keeps only their digests.
func withoutFileBytes(row record.Row) record.Row {
	var vals map[string]any
	for k, v := range row.Values {
		if f, ok := v.(*record.File); ok && f.Data != nil {
			if vals == nil {
				vals = make(map[string]any, len(row.Values))
				for kk, vv := range row.Values {
					vals[kk] = vv
				}
			}
			vals[k] = &record.File{Name: f.Name, Size: f.Size, SHA1: f.SHA1}
		}
	}
	if vals != nil {
		row.Values = vals
	}
	return row
}

// idRefNames adds to names the external IDs of the records the rows'
// IDRefs point at, as the target holds them, so Changed compares them.
func (c *Checker) idRefNames(ctx context.Context, names xmlids, written map[int64]record.Row, recs []map[string]any) error {
	ids := map[string]map[int64]bool{}
	for _, rec := range recs {
		id, _ := toFloat(rec["id"])
		w, ok := written[int64(id)]
		if !ok {
			continue
		}
		for name, v := range w.Values {
			ref, isRef := v.(record.IDRef)
			if !isRef {
				continue
			}
			for _, got := range gotIDs(rec[name]) {
				if ids[ref.Model] == nil {
					ids[ref.Model] = map[int64]bool{}
				}
				ids[ref.Model][got] = true
			}
		}
	}
	for model, set := range ids {
		m, err := c.T.ExternalIDs(ctx, model, odoo.SortedIDs(set))
		if err != nil {
			return err
		}
		if names[model] == nil {
			names[model] = map[int64]string{}
		}
		for id, x := range m {
			names[model][id] = x
		}
	}
	return nil
}
