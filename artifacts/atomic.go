package artifacts

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Crash safety rests on one pattern, used for every file the store writes:
//
//	create a temporary file on the destination's filesystem
//	write it completely, fsync it, set its final mode, close it
//	rename it over the destination (atomic in POSIX)
//	fsync the destination directory (makes the rename durable)
//
// A crash before the rename leaves only a temporary file, which nothing
// reads; a crash after it leaves the complete new file. No reader can ever
// open a partially written object, record or reference.

// commitFile makes the fully written temporary file f appear at dst with the
// given mode. f is closed in all cases and removed on failure.
func commitFile(f *os.File, mode fs.FileMode, dst string) error {
	tmp := f.Name()
	err := f.Chmod(mode)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(dst))
}

// discardFile closes and removes an abandoned temporary file.
func discardFile(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// writeFileAtomic writes data to dst via a temporary file in tmpDir, which
// must be on the same filesystem as dst.
func writeFileAtomic(tmpDir, dst string, mode fs.FileMode, data []byte) error {
	f, err := os.CreateTemp(tmpDir, "w-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		discardFile(f)
		return err
	}
	return commitFile(f, mode, dst)
}

// syncDir fsyncs a directory so that entries renamed or created in it
// survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// mkdirSync creates the directory rel (slash-separated) under root, one
// segment at a time, fsyncing each parent in which it creates an entry, so a
// file later renamed into it cannot be lost with its directory in a crash.
func mkdirSync(root, rel string) error {
	cur := root
	for _, seg := range strings.Split(rel, "/") {
		next := filepath.Join(cur, seg)
		err := os.Mkdir(next, 0o755)
		switch {
		case err == nil:
			if err := syncDir(cur); err != nil {
				return err
			}
		case errors.Is(err, fs.ErrExist):
			// Mkdir reports EEXIST for a file too; the caller's rename
			// then fails and names the conflict.
		default:
			return err
		}
		cur = next
	}
	return nil
}
