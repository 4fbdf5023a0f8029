package artifacts

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// spoolMemory is the largest object S3Store.Put keeps in memory; larger
// ones go through a temporary file, since the upload needs the digest (its
// key) before the first byte is sent.
const spoolMemory = 4 << 20

// spooled holds the bytes of one Put with their sha256 digest and MD5 (the
// ETag a service gives a single-part upload).
type spooled struct {
	buf    []byte
	file   *os.File // nil when the bytes are in buf
	size   int64
	digest Digest
	md5    string
}

// spool reads r to its end, in memory or in a temporary file.
func spool(ctx context.Context, r io.Reader) (*spooled, error) {
	r = ctxReader{ctx, r}
	sh, mh := sha256.New(), md5.New()
	var head bytes.Buffer
	if _, err := head.ReadFrom(io.LimitReader(r, spoolMemory+1)); err != nil {
		return nil, err
	}
	sp := &spooled{}
	sh.Write(head.Bytes())
	mh.Write(head.Bytes())
	if head.Len() <= spoolMemory {
		sp.buf = head.Bytes()
	} else {
		f, err := os.CreateTemp("", "pipe-s3-put-*")
		if err != nil {
			return nil, err
		}
		sp.file = f
		if _, err := f.Write(head.Bytes()); err != nil {
			sp.close()
			return nil, fmt.Errorf("spool: %w", err)
		}
		if _, err := copyStream(io.MultiWriter(f, sh, mh), r); err != nil {
			sp.close()
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	sp.size = int64(head.Len())
	if sp.file != nil {
		st, err := sp.file.Stat()
		if err != nil {
			sp.close()
			return nil, err
		}
		sp.size = st.Size()
	}
	sp.digest = Digest(hex.EncodeToString(sh.Sum(nil)))
	sp.md5 = hex.EncodeToString(mh.Sum(nil))
	return sp, nil
}

// reader returns the spooled bytes from their start (again on each call).
func (sp *spooled) reader() (io.Reader, error) {
	if sp.file == nil {
		return bytes.NewReader(sp.buf), nil
	}
	if _, err := sp.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.NewSectionReader(sp.file, 0, sp.size), nil
}

// close removes the temporary file, if any.
func (sp *spooled) close() {
	if sp.file != nil {
		sp.file.Close()
		os.Remove(sp.file.Name())
	}
}
