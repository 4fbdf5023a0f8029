package artifacts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"sync"
)

// corruptError describes an object whose bytes hash to got instead of want.
// where names the file (or "memory") so the user can inspect it.
func corruptError(want Digest, where, got string) error {
	return fmt.Errorf("%w: object %s at %s hashes to %s", ErrCorrupt, want, where, got)
}

// verifyReader streams an object and checks its digest at the end: the
// final Read returns a corruption error instead of io.EOF on mismatch, so a
// consumer that reads to the end cannot mistake damaged bytes for the object.
type verifyReader struct {
	r     io.Reader
	c     io.Closer // may be nil
	h     hash.Hash
	want  Digest
	where string
	err   error // sticky terminal error
}

func newVerifyReader(r io.Reader, c io.Closer, want Digest, where string) *verifyReader {
	return &verifyReader{r: r, c: c, h: sha256.New(), want: want, where: where}
}

func (v *verifyReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != string(v.want) {
			err = corruptError(v.want, v.where, got)
		}
	}
	if err != nil {
		v.err = err
	}
	return n, err
}

func (v *verifyReader) Close() error {
	if v.c == nil {
		return nil
	}
	return v.c.Close()
}

// ctxReader fails reads once ctx is done, so long copies stop promptly.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// hashReader returns the hex sha256 of everything r yields.
func hashReader(ctx context.Context, r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := copyStream(h, ctxReader{ctx, r}); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// copyBuffer is the chunk size of streaming copies: large enough that
// syscalls do not dominate, small enough to keep memory flat.
const copyBuffer = 256 << 10

// buffers recycles copy buffers: allocating (and zeroing) 256 KiB per
// call would cost more than verifying a small object.
var buffers = sync.Pool{New: func() any { b := make([]byte, copyBuffer); return &b }}

// copyStream is io.Copy through a pooled buffer.
func copyStream(w io.Writer, r io.Reader) (int64, error) {
	b := buffers.Get().(*[]byte)
	defer buffers.Put(b)
	return io.CopyBuffer(w, r, *b)
}
