// Package snapshot is the upgrade guard. Before an in-place upgrade
// (OpenUpgrade, Odoo's upgrade service) Take records, from a running Odoo,
// the record count of every chosen model, a fingerprint of every record
// (one short hash per field, so a change can be named) and control totals
// (sums of numeric fields). After the upgrade the same is taken again and
// Compare lists lost, added and changed records and totals.
//
// Models and fields are matched by name. A Map covers the rest: model and
// field renames, and a domain that restricts the new model (account.invoice
// became part of account.move: map it to account.move with move_type !=
// 'entry'). There are no built-in version packs: a restructuring is not a
// rename, and a map that pretends otherwise would hide losses.
package snapshot
