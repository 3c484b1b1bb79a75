package backup

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/ferry-migrate/ferry/internal/backup/dest"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// restoreZip restores a database manager zip: the decrypted zip goes to a
// temporary file only Ferry's user can read (a zip is read from its end),
// its digest is checked, dump.sql is piped into psql and filestore/ is
// extracted through os.Root. It returns each table's row count in
// dump.sql, which the restore test compares with the restored database.
func restoreZip(ctx context.Context, s dest.Store, id string, p Part, keys Keys, to Target) (map[string]int64, error) {
	tmp, err := os.CreateTemp("", "ferry-restore-*.zip")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := restorePart(ctx, s, id, p, keys, func(r io.Reader) error { _, err := io.Copy(tmp, r); return err }); err != nil {
		return nil, err
	}
	zr, err := zip.OpenReader(tmp.Name())
	if err != nil {
		return nil, &CorruptError{Store: s.String(), ID: id, File: p.Name, Reason: "not a zip: " + err.Error()}
	}
	defer zr.Close()
	dump, err := zr.Open("dump.sql")
	if err != nil {
		return nil, &CorruptError{Store: s.String(), ID: id, File: p.Name, Reason: "the zip holds no dump.sql"}
	}
	counts, err := copyRows(dump)
	dump.Close()
	if err != nil {
		return nil, err
	}
	if err := psqlRestore(ctx, &zr.Reader, to.DSN); err != nil {
		return nil, err
	}
	if to.Filestore == "" {
		return counts, nil
	}
	return counts, extractZipFilestore(&zr.Reader, to.Filestore)
}

// copyRows counts the rows of each COPY block of a plain SQL dump.
func copyRows(r io.Reader) (map[string]int64, error) {
	out := map[string]int64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
	table := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case table != "" && line == `\.`:
			table = ""
		case table != "":
			out[table]++
		case strings.HasPrefix(line, "COPY ") && strings.HasSuffix(line, "FROM stdin;"):
			table = strings.Fields(line)[1]
			out[table] += 0
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read dump.sql: %w", err)
	}
	return out, nil
}

func psqlRestore(ctx context.Context, zr *zip.Reader, dsn secret.String) error {
	dump, err := zr.Open("dump.sql")
	if err != nil {
		return err
	}
	defer dump.Close()
	cmd := exec.CommandContext(ctx, "psql", "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", dsn.Reveal())
	cmd.Stdin, cmd.Stdout = dump, io.Discard
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return errors.New("psql is not installed (Debian: postgresql-client)")
		}
		return fmt.Errorf("psql failed on dump.sql: %s", redact(stderr.String(), dsn))
	}
	return nil
}

// extractZipFilestore writes the zip's filestore/ entries into dir, with
// the checks the tar filestore has (no "..", no absolute paths).
func extractZipFilestore(zr *zip.Reader, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) > 0 {
		return errors.Join(err, fmt.Errorf("filestore target %s is not empty: refused", dir))
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	for _, f := range zr.File {
		name, ok := strings.CutPrefix(f.Name, "filestore/")
		if !ok || name == "" {
			continue
		}
		h := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o600}
		if f.FileInfo().IsDir() {
			h.Typeflag = tar.TypeDir
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		err = extractEntry(root, h, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
