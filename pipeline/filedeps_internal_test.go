package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// TestFileDigestsMemoizedInStatusPass checks that a data directory read by
// many stages is walked once per status pass, and again after it (a run
// must see files as they are when each stage starts).
func TestFileDigestsMemoizedInStatusPass(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, n := range []string{"a.csv", "b.csv"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := artifacts.OpenDir(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	fd := newFileDigests(s)
	end := fd.memoize()
	first, err := fd.digest(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if dg, _ := fd.digest(ctx, dir); dg != first {
			t.Fatalf("digest %d differs in one pass: %s, %s", i, dg, first)
		}
	}
	if fd.walks != 1 {
		t.Fatalf("%d walks in one status pass, want 1", fd.walks)
	}
	end()
	if err := os.WriteFile(filepath.Join(dir, "b.csv"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	dg, err := fd.digest(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if dg == first || fd.walks != 2 {
		t.Fatalf("after the pass: walks %d, digest changed %v; want a fresh walk seeing the edit", fd.walks, dg != first)
	}
}
