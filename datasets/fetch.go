package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fetcher downloads Sources into a data directory: over HTTPS, one file at a
// time per worker, resuming a partial download (<file>.part) with an HTTP
// Range request, checking every file's sha256 before it is renamed into
// place, and skipping files that are already present with the right sum.
type Fetcher struct {
	Client   *http.Client // nil: a client with a 10-minute overall timeout
	Sources  []Source     // nil: Sources()
	Log      io.Writer    // progress lines; nil: none
	Parallel int          // concurrent downloads; 0: 4
}

// Fetch downloads the public data files (Sources) into dir, logging to log.
func Fetch(ctx context.Context, dir string, log io.Writer) error {
	return (&Fetcher{Log: log}).Fetch(ctx, dir)
}

// Fetch downloads f.Sources into dir and stops at the first failure.
func (f *Fetcher) Fetch(ctx context.Context, dir string) error {
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Minute}
	}
	srcs := f.Sources
	if srcs == nil {
		srcs = Sources()
	}
	workers := f.Parallel
	if workers <= 0 {
		workers = 4
	}
	log := &lockedWriter{w: f.Log}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	var fetched, present int
	parallelFor(ctx, len(srcs), workers, func(_, i int) {
		got, err := fetchOne(ctx, client, dir, srcs[i], log)
		if err != nil {
			cancel(err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if got {
			fetched++
		} else {
			present++
		}
	})
	if err := context.Cause(ctx); err != nil {
		return err
	}
	log.printf("%d files downloaded, %d already present in %s", fetched, present, dir)
	return nil
}

// fetchOne makes dir/src.Path hold the published bytes; it reports whether
// it downloaded anything.
func fetchOne(ctx context.Context, client *http.Client, dir string, src Source, log *lockedWriter) (bool, error) {
	final := filepath.Join(dir, filepath.FromSlash(src.Path))
	if sum, err := fileSHA256(final); err == nil {
		if sum == src.SHA256 {
			return false, nil
		}
		log.printf("%s: sha256 %s is not the published %s; downloading it again", src.Path, sum[:12], src.SHA256[:12])
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return false, err
	}
	part := final + ".part"
	if verifyPart(part, src) == nil {
		// A finished download that was never renamed (interrupted at the end).
		return true, os.Rename(part, final)
	}
	resumed, err := download(ctx, client, src, part, log)
	if err == nil {
		err = verifyPart(part, src)
	}
	if errors.Is(err, ErrChecksum) && resumed {
		// The partial file may come from other bytes; start again from zero.
		log.printf("%s: checksum mismatch after resuming; downloading from the start", src.Path)
		os.Remove(part)
		if _, err = download(ctx, client, src, part, log); err == nil {
			err = verifyPart(part, src)
		}
	}
	if err != nil {
		if errors.Is(err, ErrChecksum) {
			os.Remove(part)
		}
		return false, err
	}
	if err := os.Rename(part, final); err != nil {
		return false, err
	}
	log.printf("%s: %d bytes, sha256 ok", src.Path, src.Size)
	return true, nil
}

// download appends the missing bytes of src to part (resuming from its
// current size with a Range request) and reports whether it resumed.
func download(ctx context.Context, client *http.Client, src Source, part string, log *lockedWriter) (bool, error) {
	var offset int64
	if st, err := os.Stat(part); err == nil && st.Size() > 0 && (src.Size == 0 || st.Size() < src.Size) {
		offset = st.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return false, fmt.Errorf("%s: %v: %w", src.Path, err, ErrDownload)
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	resp, err := client.Do(req)
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
		log.printf("%s: resuming at byte %d", src.Path, offset)
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC
		offset = 0
	default:
		return false, fmt.Errorf("download %s from %s: HTTP %s: %w", src.Path, src.URL, resp.Status, ErrDownload)
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return false, err
	}
	limit := int64(1 << 40)
	if src.Size > 0 {
		limit = src.Size - offset + 1 // one byte more shows an overlong body
	}
	_, cerr := io.Copy(out, io.LimitReader(resp.Body, limit))
	serr := out.Sync()
	if err := errors.Join(cerr, serr, out.Close()); err != nil {
		if ctx.Err() != nil {
			return false, context.Cause(ctx)
		}
		return false, fmt.Errorf("download %s from %s: %v (the partial file %s is kept and resumed next time): %w", src.Path, src.URL, err, part, ErrDownload)
	}
	return offset > 0, nil
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

// verifyPart checks the size and sha256 of a finished download.
func verifyPart(part string, src Source) error {
	sum, err := fileSHA256(part)
	if err != nil {
		return err
	}
	if st, err := os.Stat(part); err == nil && src.Size > 0 && st.Size() != src.Size {
		return fmt.Errorf("%s from %s: %d bytes, want %d: %w", src.Path, src.URL, st.Size(), src.Size, ErrChecksum)
	}
	if sum != src.SHA256 {
		return fmt.Errorf("%s from %s: sha256 %s, want %s: %w", src.Path, src.URL, sum, src.SHA256, ErrChecksum)
	}
	return nil
}

// lockedWriter serialises log lines from concurrent downloads.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) printf(format string, args ...any) {
	if l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format+"\n", args...)
}
