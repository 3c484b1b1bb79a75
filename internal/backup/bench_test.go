package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// BenchmarkPipeline measures Ferry's own backup path: SHA-256 of the
// plaintext, age (X25519), SHA-256 of the ciphertext, and writing to a
// local directory store (fsynced and renamed), no pg_dump, no compression;
// /disk writes to the temporary directory, /memory to a memory file system
// (the CPU's share, without the disk).
func BenchmarkPipeline(b *testing.B) {
	b.Run("disk", func(b *testing.B) { benchPipeline(b, b.TempDir()) })
	b.Run("memory", func(b *testing.B) {
		dir, err := os.MkdirTemp("/dev/shm", "ferry-bench-")
		if err != nil {
			b.Skip("no /dev/shm")
		}
		defer os.RemoveAll(dir)
		benchPipeline(b, dir)
	})
}

func benchPipeline(b *testing.B, dir string) {
	keys := x25519(b)
	s := dest.Local{Dir: dir}
	src := bytes.Repeat([]byte("0123456789abcdef"), 4<<20) // 64 MiB
	b.SetBytes(int64(len(src)))
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprint("b", i)
		if _, err := writePart(context.Background(), []dest.Store{s}, id, DumpPart, bytes.NewReader(src), keys.Recipients); err != nil {
			b.Fatal(err)
		}
		_ = s.Remove(context.Background(), id)
	}
}

func TestMain(m *testing.M) {
	scryptWorkFactor = 10 // passphrase tests decrypt dozens of times
	os.Exit(m.Run())
}
