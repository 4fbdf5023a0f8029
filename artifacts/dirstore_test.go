package artifacts_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
)

func TestDirStoreLayoutAndModes(t *testing.T) {
	ctx := context.Background()
	s := openDir(t)
	if !filepath.IsAbs(s.Dir()) {
		t.Fatalf("Dir() = %q, want absolute", s.Dir())
	}
	for _, sub := range []string{"objects", "records", "refs", "locks", "quarantine", "tmp"} {
		if info, err := os.Stat(filepath.Join(s.Dir(), sub)); err != nil || !info.IsDir() {
			t.Fatalf("layout: %s missing: %v", sub, err)
		}
	}
	for _, n := range []int{10, 200 << 10} { // in-memory and streamed Put paths
		d, err := s.Put(ctx, bytes.NewReader(make([]byte, n)))
		if err != nil {
			t.Fatal(err)
		}
		checkMode(t, objectFile(s, d), 0o444)
	}
	r := &artifacts.RunRecord{Key: artifacts.Key(artifacts.DigestOf([]byte("k")))}
	if err := s.PutRecord(ctx, r); err != nil {
		t.Fatal(err)
	}
	checkMode(t, filepath.Join(s.Dir(), "records", string(r.Key)+".json"), 0o644)
	if err := s.SetRef(ctx, "stages/train", []byte("v")); err != nil {
		t.Fatal(err)
	}
	checkMode(t, filepath.Join(s.Dir(), "refs", "stages", "train"), 0o644)
	if entries, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp")); len(entries) != 0 {
		t.Fatalf("tmp/ holds %d files after successful writes", len(entries))
	}
	// Reopening an existing store keeps its contents.
	s2, err := artifacts.OpenDir(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s2.GetRef(ctx, "stages/train"); err != nil || string(v) != "v" {
		t.Fatalf("reopened store: GetRef = %q, %v", v, err)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

func TestOpenDirOnFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := artifacts.OpenDir(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("OpenDir(a file) err = %v, want an error naming it", err)
	}
}

// TestDirStorePutKeepsIntactObject checks that storing bytes already present
// leaves the stored file itself alone (no rewrite), and that a damaged copy
// is replaced by a read-only good one.
func TestDirStorePutKeepsIntactObject(t *testing.T) {
	ctx := context.Background()
	s := openDir(t)
	for _, n := range []int{100, 300 << 10} {
		b := bytes.Repeat([]byte{byte(n)}, n)
		d, _ := s.Put(ctx, bytes.NewReader(b))
		before, err := os.Stat(objectFile(s, d))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
		after, _ := os.Stat(objectFile(s, d))
		if !os.SameFile(before, after) {
			t.Errorf("%d bytes: Put of a duplicate replaced the stored file", n)
		}
		corruptDir(t, s, d)
		if _, err := s.Put(ctx, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
		if err := s.Verify(ctx, d); err != nil {
			t.Errorf("%d bytes: Put did not repair a corrupt object: %v", n, err)
		}
		checkMode(t, objectFile(s, d), 0o444)
		if entries, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp")); len(entries) != 0 {
			t.Errorf("%d bytes: tmp/ holds %d files", n, len(entries))
		}
	}
}

func TestDirStoreQuarantineFile(t *testing.T) {
	ctx := context.Background()
	s := openDir(t)
	d, _ := s.Put(ctx, strings.NewReader("inspect me"))
	if err := s.Quarantine(ctx, d); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir(), "quarantine"))
	if len(entries) != 1 || !regexp.MustCompile(`^`+string(d)+`\.[0-9]+$`).MatchString(entries[0].Name()) {
		t.Fatalf("quarantine/ holds %v, want one <digest>.<unix-nanos>", entries)
	}
	b, _ := os.ReadFile(filepath.Join(s.Dir(), "quarantine", entries[0].Name()))
	if string(b) != "inspect me" {
		t.Fatalf("quarantined bytes = %q", b)
	}
}

// TestDirStoreRecordFileCorrupt damages record files in the ways a disk or
// a person might and checks each is reported as ErrCorrupt naming the file,
// and as ErrNotFound, with the file moved to quarantine/ so that the
// stage reruns instead of failing for good.
func TestDirStoreRecordFileCorrupt(t *testing.T) {
	ctx := context.Background()
	key := artifacts.Key(artifacts.DigestOf([]byte("record")))
	other := artifacts.Key(artifacts.DigestOf([]byte("other")))
	cases := map[string]string{
		"garbage":   "\x00\x01not json",
		"truncated": `{"key":"` + string(key) + `","stage":"tra`,
		"empty":     "",
		"wrong key": `{"key":"` + string(other) + `"}`,
		"bad type":  `{"key":"` + string(key) + `","duration_sec":"slow"}`,
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			s := openDir(t)
			if err := s.PutRecord(ctx, &artifacts.RunRecord{Key: key, Stage: "train"}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(s.Dir(), "records", string(key)+".json")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := s.GetRecord(ctx, key)
			if !errors.Is(err, artifacts.ErrCorrupt) || !errors.Is(err, artifacts.ErrNotFound) || !strings.Contains(err.Error(), path) {
				t.Fatalf("GetRecord err = %v, want ErrCorrupt and ErrNotFound naming %s", err, path)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("damaged record still in place: %v", err)
			}
			q, _ := filepath.Glob(filepath.Join(s.Dir(), "quarantine", "record-"+string(key)+".json.*"))
			if len(q) != 1 {
				t.Fatalf("quarantined records = %v, want one", q)
			}
			n := 0
			err = s.Records(ctx, func(*artifacts.RunRecord) error { n++; return nil })
			if err != nil || n != 0 {
				t.Fatalf("Records after quarantine: %d records, err %v", n, err)
			}
			if _, err := s.GetRecord(ctx, key); !errors.Is(err, artifacts.ErrNotFound) || errors.Is(err, artifacts.ErrCorrupt) {
				t.Fatalf("GetRecord after quarantine err = %v, want plain ErrNotFound", err)
			}
		})
	}
}

// TestDirStoreCrashDebris leaves what a writer killed mid-Put leaves (a
// complete and a partial temporary file) and checks that the store ignores
// them and that CleanTmp removes them by age.
func TestDirStoreCrashDebris(t *testing.T) {
	ctx := context.Background()
	s := openDir(t)
	kept, _ := s.Put(ctx, strings.NewReader("stored before the crash"))
	whole := []byte("an object whose writer died before its rename")
	tmp := filepath.Join(s.Dir(), "tmp")
	if err := os.WriteFile(filepath.Join(tmp, "put-1"), whole, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "put-2"), whole[:7], 0o600); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Has(ctx, artifacts.DigestOf(whole)); ok {
		t.Fatal("a temporary file counts as a stored object")
	}
	var listed []artifacts.Digest
	s.Objects(ctx, func(d artifacts.Digest, _ int64) error { listed = append(listed, d); return nil })
	if len(listed) != 1 || listed[0] != kept {
		t.Fatalf("Objects = %v, want only %s", listed, kept)
	}
	if n, err := s.CleanTmp(time.Hour); err != nil || n != 0 {
		t.Fatalf("CleanTmp(1h) removed %d fresh files (%v), want 0", n, err)
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(filepath.Join(tmp, "put-1"), old, old); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CleanTmp(time.Hour); err != nil || n != 1 {
		t.Fatalf("CleanTmp(1h) removed %d files (%v), want the 1 old one", n, err)
	}
	if n, err := s.CleanTmp(0); err != nil || n != 1 {
		t.Fatalf("CleanTmp(0) removed %d files (%v), want 1", n, err)
	}
	// The store works as before, and the interrupted object can be stored.
	if d, err := s.Put(ctx, bytes.NewReader(whole)); err != nil || s.Verify(ctx, d) != nil || s.Verify(ctx, kept) != nil {
		t.Fatalf("store after crash debris: Put %v", err)
	}
}

// TestDirStoreTruncatedObject checks that an object cut short (as a copy
// with a full disk would leave it) is refused on every read path.
func TestDirStoreTruncatedObject(t *testing.T) {
	ctx := context.Background()
	s := openDir(t)
	d, _ := s.Put(ctx, bytes.NewReader(bytes.Repeat([]byte("x"), 1000)))
	p := objectFile(s, d)
	if err := os.Truncate(p, 500); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, d); !errors.Is(err, artifacts.ErrCorrupt) || !strings.Contains(err.Error(), p) {
		t.Fatalf("Get(truncated) err = %v, want ErrCorrupt naming %s", err, p)
	}
	if err := s.Verify(ctx, d); !errors.Is(err, artifacts.ErrCorrupt) {
		t.Fatalf("Verify(truncated) err = %v", err)
	}
}

func TestDirStoreRefDirectoriesPruned(t *testing.T) {
	ctx := context.Background()
	s := openDir(t)
	if err := s.SetRef(ctx, "a/b/c/d", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRef(ctx, "a/b/c/d"); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Join(s.Dir(), "refs")); len(entries) != 0 {
		t.Fatalf("refs/ keeps %d empty directories after DeleteRef", len(entries))
	}
}
