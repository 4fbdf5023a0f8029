package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Fetcher downloads Sources into a data directory: over HTTPS, one file at a
// time per worker, resuming a partial download (<file>.part) with an HTTP
// Range request, checking every file's sha256 before it is renamed into
// place, and skipping files that are already present with the right sum.
// A connection that does not answer, or stops sending bytes, for Timeout
// is abandoned; directories it created for files it could not fetch are
// removed again. Progress lines go to Log: one when it starts and one every
// Every while bytes arrive.
type Fetcher struct {
	Client   *http.Client  // nil: a client whose connections time out after Timeout
	Sources  []Source      // nil: Sources()
	Log      io.Writer     // progress lines; nil: none
	Parallel int           // concurrent downloads; 0: 4
	Timeout  time.Duration // per connection: connect, first answer, or silence while reading; 0: 30 s
	Every    time.Duration // interval of progress lines; 0: 5 s
}

// Fetch downloads the public data files (Sources) into dir, logging to log.
func Fetch(ctx context.Context, dir string, log io.Writer) error {
	return (&Fetcher{Log: log}).Fetch(ctx, dir)
}

// timeout returns f.Timeout or its default.
func (f *Fetcher) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return 30 * time.Second
}

// client returns f.Client, or one whose dial, TLS handshake and response
// headers each time out after f.timeout(); silence while reading the body
// is watched by download.
func (f *Fetcher) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	t := f.timeout()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: t, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = t
	tr.ResponseHeaderTimeout = t
	return &http.Client{Transport: tr}
}

// Fetch downloads f.Sources into dir and stops at the first failure.
func (f *Fetcher) Fetch(ctx context.Context, dir string) error {
	srcs := f.Sources
	if srcs == nil {
		srcs = Sources()
	}
	workers := f.Parallel
	if workers <= 0 {
		workers = 4
	}
	log := &lockedWriter{w: f.Log}
	prog := newFetchProgress(log, srcs, dir)
	stop := prog.start(f.Every)
	defer stop()
	created, err := mkdirsFor(dir, srcs)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	var fetched, present int
	client := f.client()
	parallelFor(ctx, len(srcs), workers, func(_, i int) {
		got, err := f.fetchOne(ctx, client, dir, srcs[i], log, prog)
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
	stop()
	if err := context.Cause(ctx); err != nil {
		removeEmptyDirs(created)
		return err
	}
	log.printf("%d files downloaded, %d already present in %s", fetched, present, dir)
	return nil
}

// fetchOne makes dir/src.Path hold the published bytes; it reports whether
// it downloaded anything.
func (f *Fetcher) fetchOne(ctx context.Context, client *http.Client, dir string, src Source, log *lockedWriter, prog *fetchProgress) (bool, error) {
	final := filepath.Join(dir, filepath.FromSlash(src.Path))
	if sum, err := fileSHA256(final); err == nil {
		if sum == src.SHA256 {
			prog.add(src.Size, true)
			return false, nil
		}
		log.printf("%s: sha256 %s is not the published %s; downloading it again", src.Path, sum[:12], src.SHA256[:12])
	}
	part := final + ".part"
	if verifyPart(part, src) == nil {
		// A finished download that was never renamed (interrupted at the end).
		prog.add(src.Size, true)
		return true, os.Rename(part, final)
	}
	dl := &download{client: client, src: src, part: part, log: log, prog: prog, timeout: f.timeout()}
	resumed, err := dl.run(ctx)
	if err == nil {
		err = verifyPart(part, src)
	}
	if errors.Is(err, ErrChecksum) && resumed {
		// The partial file may come from other bytes; start again from zero.
		log.printf("%s: checksum mismatch after resuming; downloading from the start", src.Path)
		os.Remove(part)
		if _, err = dl.run(ctx); err == nil {
			err = verifyPart(part, src)
		}
	}
	if err != nil {
		if st, serr := os.Stat(part); errors.Is(err, ErrChecksum) || (serr == nil && st.Size() == 0) {
			os.Remove(part)
		}
		return false, err
	}
	if err := os.Rename(part, final); err != nil {
		return false, err
	}
	prog.file()
	return true, nil
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
