package ledger

import "context"

// MethodArchive is the method of the steps that record a record archived
// (active: false) because its source row is gone from the source and the
// plan says on_delete: archive. The record's before-image is in the
// run's images like any update's, so rollback unarchives it.
const MethodArchive = "archive"

// MarkArchiving records, before the write, the before-images of the
// records about to be archived and a pending step per record, in one
// transaction. Per record and run, the first value read of each field is
// kept (a resumed run reads the records it archived already as archived).
func (s *Store) MarkArchiving(ctx context.Context, images []Image, steps []Step) error {
	if len(images) == 0 && len(steps) == 0 {
		return nil
	}
	return s.tx(ctx, func(t *tx) error {
		if err := putImages(ctx, t, images); err != nil {
			return err
		}
		return putSteps(ctx, t, steps)
	})
}
