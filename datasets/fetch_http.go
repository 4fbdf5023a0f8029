package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// download fetches one source into its .part file.
type download struct {
	client  *http.Client
	src     Source
	part    string
	log     *lockedWriter
	prog    *fetchProgress
	timeout time.Duration // silence while reading the body that aborts it
}

// errStalled reports a connection that sent nothing for the timeout.
var errStalled = errors.New("no bytes received")

// run appends the missing bytes of the source to the part file (resuming
// from its current size with a Range request) and reports whether it
// resumed.
func (d *download) run(ctx context.Context) (bool, error) {
	src := d.src
	var offset int64
	if st, err := os.Stat(d.part); err == nil && st.Size() > 0 && (src.Size == 0 || st.Size() < src.Size) {
		offset = st.Size()
	}
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return false, fmt.Errorf("%s: %v: %w", src.Path, err, ErrDownload)
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	resp, err := d.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return false, context.Cause(ctx)
		}
		return false, fmt.Errorf("download %s from %s: %v (offline? fetching the data needs HTTPS access to raw.githubusercontent.com; or copy an existing data directory): %w",
			src.Path, src.URL, err, ErrDownload)
	}
	defer resp.Body.Close()
	flags := os.O_WRONLY | os.O_CREATE
	switch {
	case resp.StatusCode == http.StatusPartialContent && offset > 0 && rangeStart(resp) == offset:
		flags |= os.O_APPEND
		d.log.printf("%s: resuming at byte %d", src.Path, offset)
		d.prog.add(offset, false)
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC
		offset = 0
	default:
		return false, fmt.Errorf("download %s from %s: HTTP %s: %w", src.Path, src.URL, resp.Status, ErrDownload)
	}
	out, err := os.OpenFile(d.part, flags, 0o644)
	if err != nil {
		return false, err
	}
	limit := int64(1 << 40)
	if src.Size > 0 {
		limit = src.Size - offset + 1 // one byte more shows an overlong body
	}
	body := &watchedReader{r: io.LimitReader(resp.Body, limit), prog: d.prog,
		timer: time.AfterFunc(d.timeout, func() { cancel(errStalled) }), timeout: d.timeout}
	_, cerr := io.Copy(out, body)
	body.timer.Stop()
	serr := out.Sync()
	if err := errors.Join(cerr, serr, out.Close()); err != nil {
		if ctx.Err() != nil {
			return false, context.Cause(ctx)
		}
		if errors.Is(context.Cause(rctx), errStalled) {
			err = fmt.Errorf("%w for %s", errStalled, d.timeout)
		}
		return false, fmt.Errorf("download %s from %s: %v (the partial file %s is kept and resumed next time): %w", src.Path, src.URL, err, d.part, ErrDownload)
	}
	return offset > 0, nil
}

// watchedReader counts bytes into the progress and pushes back the stall
// timer on every read that returns bytes.
type watchedReader struct {
	r       io.Reader
	prog    *fetchProgress
	timer   *time.Timer
	timeout time.Duration
}

func (w *watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if n > 0 {
		w.timer.Reset(w.timeout)
		w.prog.add(int64(n), false)
	}
	return n, err
}

// rangeStart returns the first byte position of a Content-Range header
// ("bytes 100-199/200"), or −1.
func rangeStart(resp *http.Response) int64 {
	cr := strings.TrimPrefix(resp.Header.Get("Content-Range"), "bytes ")
	start, _, ok := strings.Cut(cr, "-")
	if !ok {
		return -1
	}
	v, err := strconv.ParseInt(start, 10, 64)
	if err != nil {
		return -1
	}
	return v
}
