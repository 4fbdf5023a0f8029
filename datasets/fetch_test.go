package datasets

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fileServer serves the shared data directory as the public sources would,
// with Range support (http.ServeContent), and records the requests.
type fileServer struct {
	dir     string
	corrupt string // a Path whose bytes are served with one byte flipped
	mu      sync.Mutex
	ranges  []string // Range headers received
	served  int64    // body bytes written
}

func (s *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if strings.TrimPrefix(r.URL.Path, "/") == s.corrupt {
		b = bytes.Clone(b)
		b[len(b)/2] ^= 1
	}
	s.mu.Lock()
	if rg := r.Header.Get("Range"); rg != "" {
		s.ranges = append(s.ranges, rg)
	}
	s.mu.Unlock()
	http.ServeContent(&countingWriter{w, s}, r, "", time.Time{}, bytes.NewReader(b))
}

// stats returns the Range headers received and the body bytes served so far.
func (s *fileServer) stats() ([]string, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ranges), s.served
}

func (s *fileServer) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ranges, s.served = nil, 0
}

// countingWriter counts body bytes before they can reach the client, so the
// count is complete when the client has read them.
type countingWriter struct {
	http.ResponseWriter
	s *fileServer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.s.mu.Lock()
	c.s.served += int64(len(p))
	c.s.mu.Unlock()
	return c.ResponseWriter.Write(p)
}

// testSources returns the PJM files, the constituents and a few price files,
// with URLs on base.
func testSources(base string) []Source {
	var out []Source
	for _, s := range Sources() {
		if strings.HasPrefix(s.Path, "sp500/stocks/") && !strings.HasPrefix(s.Path, "sp500/stocks/a") {
			continue
		}
		s.URL = base + "/" + s.Path
		out = append(out, s)
	}
	return out
}

func TestFetch(t *testing.T) {
	fs := &fileServer{dir: sharedData(t)}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	dir := t.TempDir()
	var log bytes.Buffer
	f := &Fetcher{Client: srv.Client(), Sources: testSources(srv.URL), Log: &log}
	if err := f.Fetch(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	for _, s := range f.Sources {
		if sum, err := fileSHA256(filepath.Join(dir, s.Path)); err != nil || sum != s.SHA256 {
			t.Errorf("%s: sum %s, err %v", s.Path, sum, err)
		}
		if _, err := os.Stat(filepath.Join(dir, s.Path+".part")); err == nil {
			t.Errorf("%s.part left behind", s.Path)
		}
	}
	// A second run finds everything in place and downloads nothing.
	fs.reset()
	log.Reset()
	if err := f.Fetch(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if _, served := fs.stats(); served != 0 || !strings.Contains(log.String(), "0 files downloaded") {
		t.Errorf("second run served %d bytes; log %q", served, log.String())
	}
	// The fetched directory loads like the shared one.
	if _, err := LoadPJM(dir, PJMOptions{}); err != nil {
		t.Errorf("load the fetched PJM files: %v", err)
	}
}

func TestFetchCorrupt(t *testing.T) {
	fs := &fileServer{dir: sharedData(t), corrupt: "pjm/" + PJMFile2008}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	dir := t.TempDir()
	f := &Fetcher{Client: srv.Client(), Sources: testSources(srv.URL)[:1]}
	err := f.Fetch(context.Background(), dir)
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "pjm/"+PJMFile2008) {
		t.Fatalf("err = %v, want a checksum error naming the file", err)
	}
	for _, p := range []string{"pjm/" + PJMFile2008, "pjm/" + PJMFile2008 + ".part"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("%s exists after a checksum failure", p)
		}
	}
}

func TestFetchResume(t *testing.T) {
	shared := sharedData(t)
	fs := &fileServer{dir: shared}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	src := testSources(srv.URL)[0]
	whole, err := os.ReadFile(filepath.Join(shared, src.Path))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		prefix  []byte
		ranges  int   // Range requests expected
		maxSent int64 // at most this many body bytes served
	}{
		{"good prefix", whole[:600000], 1, int64(len(whole) - 600000)},
		{"bad prefix", bytes.Repeat([]byte{'x'}, 1000), 1, int64(2*len(whole) - 1000)}, // resumed, then again from zero
		{"complete part", whole, 0, 0},                                                 // only renamed
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			part := filepath.Join(dir, src.Path+".part")
			os.MkdirAll(filepath.Dir(part), 0o755)
			if err := os.WriteFile(part, c.prefix, 0o644); err != nil {
				t.Fatal(err)
			}
			fs.reset()
			f := &Fetcher{Client: srv.Client(), Sources: []Source{src}}
			if err := f.Fetch(context.Background(), dir); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(filepath.Join(dir, src.Path))
			if !bytes.Equal(got, whole) {
				t.Fatal("fetched bytes differ")
			}
			ranges, served := fs.stats()
			if len(ranges) != c.ranges || c.ranges > 0 && ranges[0] != "bytes="+strconv.Itoa(len(c.prefix))+"-" || served > c.maxSent {
				t.Errorf("ranges %v, %d bytes served (at most %d)", ranges, served, c.maxSent)
			}
		})
	}
}

func TestFetchOffline(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more: connection refused
	f := &Fetcher{Sources: []Source{{Path: "pjm/x.txt", URL: base + "/x.txt", SHA256: strings.Repeat("0", 64), Size: 1}}}
	err := f.Fetch(context.Background(), t.TempDir())
	if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), "offline") || !strings.Contains(err.Error(), "pjm/x.txt") {
		t.Errorf("err = %v, want a download error that names the file and suggests being offline", err)
	}
}

func TestFetchHTTPError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	f := &Fetcher{Client: srv.Client(), Sources: []Source{{Path: "pjm/x.txt", URL: srv.URL + "/x.txt", SHA256: strings.Repeat("0", 64), Size: 1}}}
	err := f.Fetch(context.Background(), t.TempDir())
	if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), "404") {
		t.Errorf("err = %v, want HTTP 404", err)
	}
}

// TestFetchInterrupted cuts the first response in the middle: the error
// names the file and keeps the partial bytes, and the next run resumes them.
func TestFetchInterrupted(t *testing.T) {
	shared := sharedData(t)
	fs := &fileServer{dir: shared}
	var cut sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cutNow := false
		cut.Do(func() { cutNow = true })
		if !cutNow {
			fs.ServeHTTP(w, r)
			return
		}
		b, _ := os.ReadFile(filepath.Join(shared, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b[:len(b)/2]) // the handler returns early: the connection is closed
	}))
	defer srv.Close()
	dir := t.TempDir()
	f := &Fetcher{Client: srv.Client(), Sources: testSources(srv.URL)[:1]}
	err := f.Fetch(context.Background(), dir)
	src := f.Sources[0]
	if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), src.Path) {
		t.Fatalf("err = %v, want a download error naming %s", err, src.Path)
	}
	st, err := os.Stat(filepath.Join(dir, src.Path+".part"))
	if err != nil || st.Size() == 0 || st.Size() >= src.Size {
		t.Fatalf("partial file: %v, %v", st, err)
	}
	if err := f.Fetch(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if ranges, _ := fs.stats(); len(ranges) != 1 || ranges[0] != "bytes="+strconv.FormatInt(st.Size(), 10)+"-" {
		t.Errorf("second run sent ranges %v", ranges)
	}
	if sum, _ := fileSHA256(filepath.Join(dir, src.Path)); sum != src.SHA256 {
		t.Error("resumed file has the wrong sum")
	}
}
