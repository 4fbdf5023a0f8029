package datasets

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

func TestFetchSilentServerTimesOut(t *testing.T) {
	base := silentServer(t)
	dir := t.TempDir()
	var log syncLog
	f := &Fetcher{Log: &log, Timeout: 300 * time.Millisecond,
		Sources: []Source{{Path: "pjm/deep/x.txt", URL: base + "/x.txt", SHA256: strings.Repeat("0", 64), Size: 10}}}
	start := time.Now()
	err := f.Fetch(context.Background(), dir)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("gave up after %s, want about the 300 ms timeout", el)
	}
	if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), "pjm/deep/x.txt") {
		t.Errorf("err = %v, want a download error naming the file", err)
	}
	if !strings.Contains(log.String(), "fetch: 1 files") {
		t.Errorf("no progress line before the timeout: %q", log.String())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind in the data directory: %v", ents)
	}
}

func TestFetchStalledBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		w.Write([]byte("abc"))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // then silence
	}))
	defer srv.Close()
	dir := t.TempDir()
	f := &Fetcher{Timeout: 300 * time.Millisecond,
		Sources: []Source{{Path: "pjm/x.txt", URL: srv.URL + "/x.txt", SHA256: strings.Repeat("0", 64), Size: 10}}}
	err := f.Fetch(context.Background(), dir)
	if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), "no bytes received") {
		t.Fatalf("err = %v, want a stall error", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "pjm", "x.txt.part")); err != nil || string(b) != "abc" {
		t.Errorf("partial file %q, %v: want the 3 bytes kept for resuming", b, err)
	}
}

// TestFetchSlowServer serves a real file a few bytes at a time: slower than
// the progress interval but never silent for the timeout, so it succeeds
// and prints progress lines on the way.
func TestFetchSlowServer(t *testing.T) {
	shared := sharedData(t)
	src := testSources("")[0]
	b, err := os.ReadFile(filepath.Join(shared, filepath.FromSlash(src.Path)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := len(b)/8 + 1
		for i := 0; i < len(b); i += chunk {
			w.Write(b[i:min(i+chunk, len(b))])
			w.(http.Flusher).Flush()
			time.Sleep(40 * time.Millisecond)
		}
	}))
	defer srv.Close()
	src.URL = srv.URL + "/" + src.Path
	var log syncLog
	f := &Fetcher{Log: &log, Timeout: 2 * time.Second, Every: 60 * time.Millisecond, Sources: []Source{src}}
	if err := f.Fetch(context.Background(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "fetch: 0/1 files"); n < 2 {
		t.Errorf("want progress lines while bytes arrive, got:\n%s", log.String())
	}
}

// syncLog is a bytes.Buffer for the fetcher's ticker and the test.
type syncLog struct {
	lockedWriter
	b bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
