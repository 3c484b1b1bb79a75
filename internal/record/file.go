package record

// File is the content of a file a row writes into a binary field (an
// attachment's datas): its size and SHA-1, never the bytes of a file read
// from a directory, which the loader reads again when it sends the row's
// batch (and checks against SHA1). Data holds the bytes only when they
// came in the source row itself (a bytea or BLOB column). Name is the
// file's name in the entity's files directory (empty for bytes from a
// column); it is not part of the value (a file moved with the same bytes
// is unchanged). A row holds a *File, so values stay comparable.
type File struct {
	Name string `json:"-"`
	Size int64  `json:"size"`
	SHA1 string `json:"sha1"` // hex SHA-1 of the bytes: what Odoo's ir.attachment.checksum holds
	Data []byte `json:"-"`
}

// IDRef is a reference to a record of the plan written into an integer
// field (a many2one_reference such as ir.attachment's res_id): Odoo
// stores the database id there and its load reads the cell as a number,
// so the loader resolves ExternalID (a record of Model) to that id before
// it sends the row.
type IDRef struct {
	Model      string `json:"model"`
	ExternalID string `json:"xmlid"`
}
