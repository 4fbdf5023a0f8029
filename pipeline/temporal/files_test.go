package temporal

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
)

var time0 = time.Unix(0, 0)

// TestFilesTravelByDigest packs a file and a directory on the client and
// unpacks them in a worker's cache: same bytes, and the directory's
// digest does not depend on file times.
func TestFilesTravelByDigest(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	data := filepath.Join(src, "stocks")
	for name, body := range map[string]string{"a.csv": "1,2\n", "sub/b.csv": "3,4\n"} {
		p := filepath.Join(data, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	single := filepath.Join(src, "list.csv")
	if err := os.WriteFile(single, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	store := artifacts.NewMemStore()
	refs, err := (&filePacker{store: store}).pack(ctx, map[string]string{"stocks": data, "list": single})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(data, "a.csv"), time0, time0); err != nil {
		t.Fatal(err)
	}
	again, err := (&filePacker{store: store}).pack(ctx, map[string]string{"stocks": data})
	if err != nil || again["stocks"].Digest != refs["stocks"].Digest {
		t.Fatalf("directory digest changed with a file time: %v, %v", again["stocks"], err)
	}
	cache := t.TempDir()
	dir, err := unpack(ctx, store, cache, refs["stocks"])
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "sub", "b.csv")); err != nil || string(b) != "3,4\n" {
		t.Fatalf("unpacked sub/b.csv = %q, %v", b, err)
	}
	f, err := unpack(ctx, store, cache, refs["list"])
	if b, _ := os.ReadFile(f); err != nil || string(b) != "x\n" || filepath.Base(f) != "list.csv" {
		t.Fatalf("unpacked file %s = %q, %v", f, b, err)
	}
	if again, err := unpack(ctx, store, cache, refs["stocks"]); err != nil || again != dir {
		t.Fatalf("second unpack: %s, %v; want the cached %s", again, err, dir)
	}
}
